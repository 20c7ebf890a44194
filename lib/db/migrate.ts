import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

// Applies prisma/migrations/<timestamp>_<name>/migration.sql in order, recording them in Prisma's own
// `_prisma_migrations` table so `prisma migrate deploy` could take over later (docs/decisions/002).

export const defaultMigrationsDir = path.join(process.cwd(), "prisma", "migrations");
const lockKey = 727_310_001; // any constant: serialises concurrent starts of several instances

export class MigrationError extends Error {}

interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function readMigrations(dir = defaultMigrationsDir): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

const createTableSql = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

type Queryable = pg.ClientBase | pg.Pool;

async function appliedChecksums(client: Queryable): Promise<Map<string, string>> {
  const exists = await client.query("SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present");
  if (!exists.rows[0].present) return new Map();
  const rows = await client.query<{ migration_name: string; checksum: string }>(
    `SELECT migration_name, checksum FROM "_prisma_migrations"
     WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
  );
  return new Map(rows.rows.map((r) => [r.migration_name, r.checksum]));
}

function assertUnchanged(files: MigrationFile[], applied: Map<string, string>): void {
  for (const file of files) {
    const checksum = applied.get(file.name);
    if (checksum && checksum !== file.checksum) {
      throw new MigrationError(`Migration ${file.name} was edited after it was applied; add a new migration instead.`);
    }
  }
}

async function applyOne(client: pg.Client, file: MigrationFile): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(file.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), 1)`,
      [randomUUID(), file.checksum, file.name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw new MigrationError(`Migration ${file.name} failed: ${(error as Error).message}`);
  }
}

/** Applies every pending migration; returns the names applied. Safe to run from several processes at once. */
export async function migrate(databaseUrl: string, dir = defaultMigrationsDir): Promise<string[]> {
  const files = await readMigrations(dir);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock($1)", [lockKey]);
    await client.query(createTableSql);
    const applied = await appliedChecksums(client);
    assertUnchanged(files, applied);
    const pending = files.filter((f) => !applied.has(f.name));
    for (const file of pending) await applyOne(client, file);
    return pending.map((f) => f.name);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [lockKey]).catch(() => undefined);
    await client.end();
  }
}

/** Names of migrations on disk not yet applied (or edited since), for the readiness check. */
export async function pendingMigrations(client: Queryable, dir = defaultMigrationsDir): Promise<string[]> {
  const [files, applied] = await Promise.all([readMigrations(dir), appliedChecksums(client)]);
  return files.filter((f) => applied.get(f.name) !== f.checksum).map((f) => f.name);
}

import { cp, mkdtemp, appendFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createEmptyDatabase } from "@/test/databases";
import { db } from "./prisma";
import { defaultMigrationsDir, migrate, MigrationError, readMigrations } from "./migrate";
import { checkReadiness } from "./readiness";

const serverUrl = () => process.env.TEST_SERVER_URL!;
let counter = 0;
const emptyDatabase = () => createEmptyDatabase(serverUrl(), `${new URL(process.env.DATABASE_URL!).pathname.slice(1)}_m${counter++}`);

describe("migration runner", () => {
  it("applies every migration once, recording them in Prisma's table, and is a no-op the second time", async () => {
    const url = await emptyDatabase();
    const all = (await readMigrations()).map((m) => m.name);
    expect(await migrate(url)).toEqual(all);
    expect(await migrate(url)).toEqual([]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const rows = await client.query(`SELECT migration_name FROM "_prisma_migrations" ORDER BY migration_name`);
    await client.end();
    expect(rows.rows.map((r) => r.migration_name)).toEqual(all);
  });

  it("is safe when several instances start at once", async () => {
    const url = await emptyDatabase();
    const results = await Promise.all([migrate(url), migrate(url), migrate(url)]);
    expect(results.flat().sort()).toEqual((await readMigrations()).map((m) => m.name));
  });

  it("refuses to run when an applied migration was edited", async () => {
    const url = await emptyDatabase();
    await migrate(url);
    const copy = await mkdtemp(path.join(os.tmpdir(), "migrations-"));
    await cp(defaultMigrationsDir, copy, { recursive: true });
    const first = (await readMigrations(copy))[0]!.name;
    await appendFile(path.join(copy, first, "migration.sql"), "\n-- edited\n");
    await expect(migrate(url, copy)).rejects.toThrow(MigrationError);
    await expect(migrate(url, copy)).rejects.toThrow(`Migration ${first} was edited after it was applied`);
  });

  it("rolls back a failing migration entirely and reports it", async () => {
    const url = await emptyDatabase();
    const copy = await mkdtemp(path.join(os.tmpdir(), "migrations-"));
    await cp(defaultMigrationsDir, copy, { recursive: true });
    const broken = path.join(copy, "99990101000000_broken");
    await cp(path.join(copy, (await readMigrations(copy))[0]!.name), broken, { recursive: true });
    await expect(migrate(url, copy)).rejects.toThrow(/Migration 99990101000000_broken failed: .*already exists/);
    expect(await migrate(url)).toEqual([]); // the good ones stayed applied
    expect((await checkReadiness(url)).ready).toBe(true);
  });
});

describe("readiness", () => {
  it("reports pending migrations on an empty database and ready after migrating", async () => {
    const url = await emptyDatabase();
    const before = await checkReadiness(url);
    expect(before).toMatchObject({ ready: false, database: "reachable" });
    expect(before.pendingMigrations.length).toBeGreaterThan(0);
    await migrate(url);
    expect(await checkReadiness(url)).toEqual({ ready: true, database: "reachable", pendingMigrations: [] });
  });

  it("reports an unreachable database", async () => {
    const result = await checkReadiness("postgresql://nobody:x@127.0.0.1:1/none");
    expect(result).toMatchObject({ ready: false, database: "unreachable" });
  });
});

// The Prisma schema (typed client) and the SQL migrations are written separately; this keeps them in step.
describe("schema.prisma matches the migrated database", () => {
  interface RuntimeField { name: string; kind: string; type: string; dbName?: string }
  interface RuntimeModel { dbName: string | null; fields: RuntimeField[] }
  const columnTypes: Record<string, string[]> = {
    String: ["text", "uuid", "character varying"],
    Boolean: ["boolean"],
    Int: ["integer"],
    BigInt: ["bigint"],
    DateTime: ["timestamp with time zone"],
    Json: ["jsonb"],
    Bytes: ["bytea"],
  };
  const listTypes: Record<string, string> = { String: "_text", Float: "_float4" };
  // Fields declared Unsupported(...) in schema.prisma are absent from the client's runtime model.
  const unsupportedColumns = ["servers.search_vector", "version_tools.search_vector"];

  it("every model field is a column of the right type, and every column is a model field", async () => {
    const model = (db() as unknown as { _runtimeDataModel: { models: Record<string, RuntimeModel> } })._runtimeDataModel;
    const columns = await db().$queryRaw<{ table_name: string; column_name: string; data_type: string; udt_name: string }[]>`
      SELECT table_name, column_name, data_type, udt_name FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`;
    const expected = Object.entries(model.models).flatMap(([name, m]) =>
      m.fields
        .filter((f) => f.kind === "scalar" || f.kind === "enum")
        .map((f) => ({ table: m.dbName ?? name, column: f.dbName ?? f.name, kind: f.kind, type: f.type })),
    );
    const actual = columns.map((c) => `${c.table_name}.${c.column_name}`).sort();
    expect(actual).toEqual([...expected.map((e) => `${e.table}.${e.column}`), ...unsupportedColumns].sort());
    for (const field of expected) {
      const column = columns.find((c) => c.table_name === field.table && c.column_name === field.column)!;
      const isArray = column.data_type === "ARRAY";
      const accepted = field.kind === "enum" ? [field.type, `_${field.type}`] : isArray ? [listTypes[field.type]] : columnTypes[field.type]!;
      const actualType = field.kind === "enum" || isArray ? column.udt_name : column.data_type;
      expect(accepted, `${field.table}.${field.column}`).toContain(actualType);
    }
  });
});

// Once per test run: a real PostgreSQL (DATABASE_URL's server, or an embedded one in a temporary folder)
// and a migrated template database; each test file then gets its own copy (test/file-database.ts).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../lib/db/embedded-postgres";
import { migrate } from "../lib/db/migrate";
import { freePort } from "@/lib/net/free-port";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

async function dropDatabases(serverUrl: string, prefix: string) {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  const found = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE $1", [`${prefix}%`]);
  for (const { datname } of found.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await client.end();
}

export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString("hex");
  const prefix = `toolgate_test_${runId}`;
  let serverUrl: string;
  let stopServer = async () => undefined as void;
  let tempDir: string | undefined;
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    serverUrl = `${url.protocol}//${url.username}:${url.password}@${url.host}`;
  } else {
    tempDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-test-pg-"));
    const running = await startEmbeddedPostgres({ dataDir: tempDir, port: await freePort(), database: "postgres" });
    serverUrl = running.url.replace(/\/postgres$/, "");
    stopServer = running.stop;
  }
  const template = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${template}"`);
  await admin.end();
  await migrate(`${serverUrl}/${template}`);
  project.provide("serverUrl", serverUrl);
  project.provide("templateDatabase", template);

  return async () => {
    await dropDatabases(serverUrl, prefix);
    await stopServer();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  };
}

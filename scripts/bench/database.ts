import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/** A throw-away embedded PostgreSQL in a temporary folder, migrated; `stop` removes it. */
export async function prepareDatabase(name: string) {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-bench-"));
  const { freePort } = await import("@/lib/net/free-port");
  const { startEmbeddedPostgres } = await import("../../lib/db/embedded-postgres");
  const { migrate } = await import("../../lib/db/migrate");
  const database = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: name });
  await migrate(database.url);
  return { url: database.url, dataDir: dir, stop: async () => { await database.stop(); await rm(dir, { recursive: true, force: true }); } };
}

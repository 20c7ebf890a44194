// Each test file runs against its own fresh, migrated database copied from the run's template.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { existingSingleton } from "@/lib/runtime/singleton";
import { createDatabaseFromTemplate } from "./databases";

const serverUrl = inject("serverUrl");
const template = inject("templateDatabase");
const name = `${template.replace(/_template$/, "")}_${randomBytes(4).toString("hex")}`;

await createDatabaseFromTemplate(serverUrl, template, name);
process.env.DATABASE_URL = `${serverUrl}/${name}`;
process.env.TEST_SERVER_URL = serverUrl;

afterAll(async () => {
  await existingSingleton<{ $disconnect(): Promise<void> }>("prisma")?.$disconnect();
  const admin = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

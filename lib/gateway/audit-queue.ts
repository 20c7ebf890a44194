import { createHash, randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import canonicalize from "canonicalize";
import { z } from "zod";
import pg from "pg";
import { type AuditInput, recordAuditBatch, recordAuditBatchOn } from "@/lib/audit/record";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/prisma";

// Gateway decisions are audited without a database round trip on the call path: events wait in this
// process's memory and are written in batches, one INSERT each. A failed write keeps its batch and
// is retried with backoff; what cannot be written before the process ends goes to a spool file in the
// data folder, replayed on the next start (docs/decisions/009-gateway-hot-path.md).

export type GatewayDecision = "allowed" | "refused" | "failed";

export interface GatewayAuditEvent {
  /** Null when the caller could not be identified (no or an invalid API key). */
  agentId: string | null;
  agentName: string | null;
  serverId?: string | null;
  serverName?: string | null;
  /** The tool's name on its backend server. */
  tool?: string | null;
  version?: string | null;
  decision: GatewayDecision;
  reason?: string | null;
  latencyMs: number;
  correlationId: string;
  /** `argumentsHash(args)`: the arguments are not stored, only their fingerprint. */
  argumentsHash?: string | null;
  /** The runtime approval request the call waited for or used. */
  approvalId?: string | null;
  /** The MCP method, e.g. "tools/call"; the audit action is `gateway.<method>`. */
  method: string;
  /** Further facts for the event's details, e.g. how many refusals an aggregated event stands for. */
  details?: Record<string, string | number>;
}

export type QueuedAudit = AuditInput & { correlationId: string; occurredAt: Date };
export type AuditBatchWriter = (events: QueuedAudit[]) => Promise<void>;

/** SHA-256 (hex) of the arguments' canonical JSON (RFC 8785); absent arguments count as `{}`. */
export function argumentsHash(args: unknown): string {
  return createHash("sha256")
    .update(canonicalize(args ?? {}) ?? "null", "utf8")
    .digest("hex");
}

const outcomes = { allowed: "success", refused: "denied", failed: "failure" } as const;

function auditOf(event: GatewayAuditEvent): QueuedAudit {
  const details: Record<string, string | number> = { ...event.details, decision: event.decision, latencyMs: event.latencyMs };
  if (event.tool) details.tool = event.tool;
  if (event.version) details.version = event.version;
  if (event.serverName) details.serverName = event.serverName;
  if (event.argumentsHash) details.argumentsHash = event.argumentsHash;
  if (event.approvalId) details.approvalId = event.approvalId;
  return {
    actor: { id: event.agentId, label: event.agentName ? `agent:${event.agentName}` : "agent:unidentified" },
    action: `gateway.${event.method}`,
    // A call refused before it named a known server (e.g. an unknown tool) is about the gateway itself.
    target: event.serverId ? { type: "server", id: event.serverId } : { type: "gateway" },
    outcome: outcomes[event.decision],
    reason: event.reason ?? null,
    correlationId: event.correlationId,
    details,
    occurredAt: new Date(),
  };
}

export interface AuditQueueOptions {
  /** Writes one batch; defaults to one INSERT on the app's database. */
  write?: AuditBatchWriter;
  /** Writes a replayed spool file's events, all or none; defaults to one transaction. */
  writeReplay?: AuditBatchWriter;
  spoolFile?: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxRetryDelayMs?: number;
  /** While writes fail, a queue this deep is moved to the spool file rather than growing memory. */
  maxQueued?: number;
}

// One plain connection writes the batches (see recordAuditBatchOn); an idle one does not keep the process alive.
const writerHolder = globalThis as unknown as { toolgateAuditWriter?: pg.Pool };
function auditWriter(): pg.Pool {
  if (!writerHolder.toolgateAuditWriter) {
    const connectionString = process.env.DATABASE_URL;
    if (!connectionString) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it.");
    const pool = new pg.Pool({ connectionString, max: 1, allowExitOnIdle: true, application_name: "toolgate-audit-writer" });
    // A dropped idle connection is replaced by the next write; the failed write itself is retried by the queue.
    pool.on("error", () => undefined);
    writerHolder.toolgateAuditWriter = pool;
  }
  return writerHolder.toolgateAuditWriter;
}

const defaultWrite: AuditBatchWriter = (events) => recordAuditBatchOn(auditWriter(), events);
const defaultWriteReplay: AuditBatchWriter = (events) =>
  db().$transaction(
    async (tx) => {
      for (let i = 0; i < events.length; i += 500) await recordAuditBatch(tx, events.slice(i, i + 500));
    },
    { timeout: 120_000 },
  );

// The data folder as start-up resolved it (TOOLGATE_DATA_DIR, default ./data). Read directly rather
// than through readSettings, so an unrelated bad setting can never stop events reaching the spool.
const defaultSpoolFile = () => path.join(path.resolve(process.env.TOOLGATE_DATA_DIR || "data"), "audit-spool.jsonl");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
// The drain's result, or false when it takes longer than `ms` (the timer does not outlive the race).
function within(drain: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  return Promise.race([drain, timeout]).finally(() => clearTimeout(timer));
}
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const toLines = (events: QueuedAudit[]) => events.map((event) => `${JSON.stringify(event)}\n`).join("");

export class AuditQueue {
  private readonly write: AuditBatchWriter;
  private readonly writeReplay: AuditBatchWriter;
  private readonly spoolFile: string;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxQueued: number;

  private pending: QueuedAudit[] = [];
  /** The batch being written; the spool takes it over if the process must end first. */
  private inFlight: QueuedAudit[] | null = null;
  /** Events ever enqueued, and those written or spooled: FIFO, so `settled >= n` means the first n are safe. */
  private enqueued = 0;
  private settled = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<boolean> | null = null;
  private failures = 0;
  private lastError: unknown;
  private spooledWhileRunning = false;

  constructor(options: AuditQueueOptions = {}) {
    this.write = options.write ?? defaultWrite;
    this.writeReplay = options.writeReplay ?? options.write ?? defaultWriteReplay;
    this.spoolFile = options.spoolFile ?? defaultSpoolFile();
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  /** Queues one event and returns at once; it is written within the flush interval. */
  enqueue(event: GatewayAuditEvent): void {
    this.pending.push(auditOf(event));
    this.enqueued++;
    // While writes fail, the scheduled retry (with its backoff) takes the new events along.
    if (this.pending.length >= this.batchSize && this.failures === 0) void this.drain();
    else this.timer ??= setTimeout(this.onTimer, this.failures > 0 ? this.retryDelay() : this.flushIntervalMs).unref();
  }

  depth(): number {
    return this.pending.length + (this.inFlight?.length ?? 0);
  }

  /**
   * Resolves once every event queued before the call is in the database, retrying failed writes;
   * rejects after `timeoutMs` if the database stays unreachable, keeping the events queued.
   */
  async flush({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<void> {
    const target = this.enqueued;
    const deadline = Date.now() + timeoutMs;
    while (this.settled < target) {
      const left = deadline - Date.now();
      const written = left > 0 && (await within(this.drain(), left));
      if (this.settled >= target) return;
      if (Date.now() >= deadline) {
        throw new Error(`Audit events could not be written within ${timeoutMs} ms (${this.depth()} kept queued): ${message(this.lastError)}`, {
          cause: this.lastError,
        });
      }
      if (!written) await sleep(Math.min(this.retryDelay(), deadline - Date.now()));
    }
  }

  /** For shutdown: flush within `timeoutMs`, else move what is left to the spool file. Returns how many were spooled. */
  async shutdown({ timeoutMs = 3_000 }: { timeoutMs?: number } = {}): Promise<number> {
    try {
      await this.flush({ timeoutMs });
      return 0;
    } catch {
      return this.spool();
    }
  }

  /** The last resort, from the process's `exit` event where nothing asynchronous runs. */
  spoolSync(): number {
    const events = this.takeAll();
    if (events.length === 0) return 0;
    mkdirSync(path.dirname(this.spoolFile), { recursive: true });
    appendFileSync(this.spoolFile, toLines(events));
    return events.length;
  }

  /** Writes the events of earlier runs' spool files, each file all or none; returns how many. */
  replaySpool(): Promise<number> {
    return replayAuditSpool({ file: this.spoolFile, write: this.writeReplay });
  }

  private readonly onTimer = () => {
    this.timer = undefined;
    void this.drain();
  };

  private retryDelay(): number {
    return Math.min(this.maxRetryDelayMs, 100 * 2 ** Math.max(0, this.failures - 1));
  }

  // One writer at a time: concurrent callers share the running drain.
  private drain(): Promise<boolean> {
    this.draining ??= this.writeAll().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private async writeAll(): Promise<boolean> {
    let wrote = false;
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      this.inFlight = batch;
      try {
        await this.write(batch);
      } catch (error) {
        if (this.inFlight === batch) this.pending.unshift(...batch); // unless the spool took it over
        this.inFlight = null;
        await this.writeFailed(error);
        return false;
      }
      if (this.inFlight === batch) this.settled += batch.length;
      this.inFlight = null;
      if (this.failures > 0) console.error(`[toolgate] audit writes recovered after ${this.failures} failed attempt(s).`);
      this.failures = 0;
      wrote = true;
    }
    // Events spooled during an outage go back as soon as the database takes writes again.
    if (wrote && this.spooledWhileRunning) {
      this.spooledWhileRunning = false;
      this.replaySpool().catch((error: unknown) => console.error(`[toolgate] replaying the audit spool failed: ${message(error)}`));
    }
    return true;
  }

  private async writeFailed(error: unknown): Promise<void> {
    this.lastError = error;
    this.failures++;
    if (this.failures === 1) console.error(`[toolgate] audit events could not be written; keeping them queued and retrying: ${message(error)}`);
    if (this.depth() >= this.maxQueued) {
      await this.spool().catch((spoolError: unknown) => console.error(`[toolgate] audit spool write failed: ${message(spoolError)}`));
      this.spooledWhileRunning = true;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, this.retryDelay()).unref();
  }

  // Takes every event not yet written, the in-flight batch included: should that write still land,
  // replay writes it again; at least once beats never.
  private takeAll(): QueuedAudit[] {
    const events = this.inFlight ? [...this.inFlight, ...this.pending] : this.pending;
    this.inFlight = null;
    this.pending = [];
    this.settled += events.length;
    return events;
  }

  private async spool(): Promise<number> {
    const events = this.takeAll();
    if (events.length === 0) return 0;
    try {
      await mkdir(path.dirname(this.spoolFile), { recursive: true });
      await appendFile(this.spoolFile, toLines(events));
    } catch (error) {
      // Not on disk either: back into memory, where the exit hook makes its synchronous attempt.
      this.pending.unshift(...events);
      this.settled -= events.length;
      throw error;
    }
    console.error(`[toolgate] ${events.length} audit event(s) written to ${this.spoolFile}; they are replayed on the next start.`);
    return events.length;
  }
}

const spooledAudit = z.object({
  actor: z.object({ id: z.string().nullable(), label: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable().optional() }),
  outcome: z.enum(["success", "denied", "failure"]),
  reason: z.string().nullable(),
  correlationId: z.string(),
  details: z.record(z.string(), z.json()).optional(),
  occurredAt: z.coerce.date(),
});

function parseSpool(text: string): { events: QueuedAudit[]; rejected: string[] } {
  const events: QueuedAudit[] = [];
  const rejected: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let parsed;
    try {
      parsed = spooledAudit.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined; // a line cut short by a crash mid-append
    }
    if (parsed?.success) events.push({ ...parsed.data, details: parsed.data.details as Prisma.InputJsonObject | undefined });
    else rejected.push(line);
  }
  return { events, rejected };
}

const activeClaims = new Set<string>();
let replays: Promise<unknown> = Promise.resolve();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Replays the spool: the file is first renamed to a claim of this process, so events spooled meanwhile
 * start a new file; claims left by a process that died mid-replay are adopted. Each claimed file is
 * written all or none, then deleted; unreadable lines are kept in `<spool>.rejected.jsonl`.
 */
export function replayAuditSpool(options: { file?: string; write?: AuditBatchWriter } = {}): Promise<number> {
  const file = options.file ?? defaultSpoolFile();
  const write = options.write ?? defaultWriteReplay;
  const run = replays.then(() => replayClaims(file, write));
  replays = run.catch(() => undefined);
  return run;
}

async function replayClaims(file: string, write: AuditBatchWriter): Promise<number> {
  const dir = path.dirname(file);
  const base = path.basename(file, ".jsonl");
  const claim = () => path.join(dir, `${base}.${process.pid}-${randomUUID()}.replaying.jsonl`);
  const claims: string[] = [];
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const suffix = ".replaying.jsonl";
    if (!name.startsWith(`${base}.`) || !name.endsWith(suffix)) continue;
    const owner = /^(\d+)-/.exec(name.slice(base.length + 1, -suffix.length));
    if (!owner) continue;
    const full = path.join(dir, name);
    const pid = Number(owner[1]);
    if (activeClaims.has(full) || (pid !== process.pid && processAlive(pid))) continue;
    const adopted = claim();
    if (await rename(full, adopted).then(() => true, () => false)) claims.push(adopted);
  }
  const current = claim();
  if (await rename(file, current).then(() => true, () => false)) claims.push(current);

  let replayed = 0;
  for (const claimed of claims) {
    activeClaims.add(claimed);
    try {
      const { events, rejected } = parseSpool(await readFile(claimed, "utf8"));
      if (events.length > 0) await write(events);
      if (rejected.length > 0) await appendFile(path.join(dir, `${base}.rejected.jsonl`), rejected.map((line) => `${line}\n`).join(""));
      await unlink(claimed);
      replayed += events.length;
    } finally {
      activeClaims.delete(claimed);
    }
  }
  return replayed;
}

// One queue per process, shared by every bundle Next.js builds (route handlers, instrumentation).
const holder = globalThis as unknown as { toolgateAuditQueue?: AuditQueue; toolgateAuditHooks?: boolean };
const gatewayAuditQueue = () => (holder.toolgateAuditQueue ??= new AuditQueue());

/** Queues a gateway decision's audit event; returns at once, no database round trip. */
export function enqueueGatewayAudit(event: GatewayAuditEvent): void {
  gatewayAuditQueue().enqueue(event);
}

/** Waits until every queued gateway audit event is written (tests, shutdown). */
export function flushGatewayAudit(options?: { timeoutMs?: number }): Promise<void> {
  return gatewayAuditQueue().flush(options);
}

/** Events queued and not yet written, for metrics. */
export function auditQueueDepth(): number {
  return holder.toolgateAuditQueue?.depth() ?? 0;
}

/**
 * On SIGTERM/SIGINT and beforeExit, flush (spooling what the database will not take); on exit,
 * spool synchronously whatever is still queued, e.g. when another handler exits first.
 */
export function installAuditShutdownHooks(): void {
  if (holder.toolgateAuditHooks) return;
  holder.toolgateAuditHooks = true;
  const report = (error: unknown) => console.error(`[toolgate] audit shutdown: ${message(error)}`);
  process.on("beforeExit", () => {
    if (auditQueueDepth() > 0) gatewayAuditQueue().shutdown().catch(report);
  });
  process.on("exit", () => {
    try {
      holder.toolgateAuditQueue?.spoolSync();
    } catch (error) {
      report(error);
    }
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      gatewayAuditQueue()
        .shutdown()
        .catch(report)
        // Listening replaced Node's default of ending the process; if no one else will, end it the same way.
        .finally(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    });
  }
}

import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import canonicalize from "canonicalize";
import pg from "pg";
import { writeIsolating } from "@/lib/audit/isolate";
import { defaultQuarantineFile, errorText, quarantine, quarantineAction, type QuarantinedItem } from "@/lib/audit/quarantine";
import { recordAuditBatchOn } from "@/lib/audit/record";
import { AuditJournal, nextAuditKey } from "./audit-journal";
import { policySetInForce } from "./policy-set-in-force";
import { auditOf, decisionLine, type ForwardedCall, forwardingLine, type GatewayAuditEvent } from "./audit-event";
import { type AuditBatchWriter, type QueuedAudit, replayAuditFiles } from "./audit-spool";
import { dataFile, env } from "@/lib/config/env";
import { existingSingleton, singleton } from "@/lib/runtime/singleton";

// Gateway decisions are audited without a database round trip on the call path: events wait in this
// process's memory and are written in batches, one INSERT each. A failed write keeps its batch and
// is retried with backoff; a batch the database refuses for one event's content is split so the others
// land and that one is quarantined. Every event, and every call before it is forwarded, is also appended
// to a local journal, so a killed process loses nothing; what cannot be written before the process ends
// goes to a spool file in the data folder; both are replayed on the next start (docs/decisions/009 and 016).

export type { AuditBatchWriter, QueuedAudit } from "./audit-spool";

export type { ForwardedCall, GatewayAuditEvent, GatewayDecision } from "./audit-event";
export { interruptedReason } from "./audit-event";

/** SHA-256 (hex) of the arguments' canonical JSON (RFC 8785); absent arguments count as `{}`. */
export function argumentsHash(args: unknown): string {
  return createHash("sha256")
    .update(canonicalize(args ?? {}) ?? "null", "utf8")
    .digest("hex");
}

export interface AuditQueueOptions {
  /** Writes one batch; defaults to one INSERT on the app's database. */
  write?: AuditBatchWriter;
  spoolFile?: string;
  /** The folder of this process's journal; defaults to the spool file's. */
  journalDir?: string;
  quarantineFile?: string;
  batchSize?: number;
  flushIntervalMs?: number;
  maxRetryDelayMs?: number;
  /** While writes fail, a queue this deep is moved to the spool file rather than growing memory. */
  maxQueued?: number;
}

// One plain connection writes the batches (see recordAuditBatchOn); an idle one does not keep the process alive.
function auditWriter(): pg.Pool {
  return singleton("auditWriter", () => {
    const connectionString = env("DATABASE_URL");
    if (!connectionString) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it.");
    const pool = new pg.Pool({ connectionString, max: 1, allowExitOnIdle: true, application_name: "toolgate-audit-writer" });
    // A dropped idle connection is replaced by the next write; the failed write itself is retried by the queue.
    pool.on("error", () => undefined);
    return pool;
  });
}

const defaultWrite: AuditBatchWriter = (events) => recordAuditBatchOn(auditWriter(), events);

// In the data folder as start-up resolved it (TOOLGATE_DATA_DIR, default ./data). Only that variable is
// read, so an unrelated bad setting can never stop events reaching the spool.
const defaultSpoolFile = () => dataFile("audit-spool.jsonl");

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));
// The drain's result, or false when it takes longer than `ms` (the timer does not outlive the race).
function within(drain: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(resolve, ms, false)));
  return Promise.race([drain, timeout]).finally(() => clearTimeout(timer));
}
const toLines = (events: QueuedAudit[]) => events.map((event) => `${JSON.stringify(event)}\n`).join("");

/** One queued event and the journal line that holds it until it is written. */
interface Entry {
  audit: QueuedAudit;
  journalSeq: number;
}

export class AuditQueue {
  private readonly write: AuditBatchWriter;
  private readonly spoolFile: string;
  private readonly quarantineFile: string;
  private readonly journal: AuditJournal;
  private readonly batchSize: number;
  private readonly flushIntervalMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly maxQueued: number;

  private pending: Entry[] = [];
  /** The batch being written; the spool takes it over if the process must end first. */
  private inFlight: Entry[] | null = null;
  /** Calls forwarded and not yet ended, by key, with their journal line (in order: the first is the oldest). */
  private readonly forwarded = new Map<string, number>();
  /** Events ever enqueued, and those written or spooled: FIFO, so `settled >= n` means the first n are safe. */
  private enqueued = 0;
  private settled = 0;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<boolean> | null = null;
  private failures = 0;
  private lastError: unknown;
  private spooledWhileRunning = false;
  private stopping: Promise<number> | null = null;

  constructor(options: AuditQueueOptions = {}) {
    this.write = options.write ?? defaultWrite;
    this.spoolFile = options.spoolFile ?? defaultSpoolFile();
    this.quarantineFile = options.quarantineFile ?? (options.spoolFile ? path.join(path.dirname(options.spoolFile), "audit-quarantine.jsonl") : defaultQuarantineFile());
    this.journal = new AuditJournal(options.journalDir ?? path.dirname(this.spoolFile));
    this.batchSize = options.batchSize ?? 500;
    this.flushIntervalMs = options.flushIntervalMs ?? 25;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 5_000;
    this.maxQueued = options.maxQueued ?? 50_000;
  }

  /**
   * Records, before the backend sees it, that a call is being forwarded: the journal line is written
   * (with the others of this event-loop turn) before this resolves, so the call is audited even if the
   * process is killed before it ends (then as interrupted). Resolves to the key its final event must
   * carry, or null once the process is stopping: forward nothing.
   */
  async beginForward(call: ForwardedCall): Promise<string | null> {
    if (this.stopping) return null;
    const key = nextAuditKey();
    const { seq, written } = this.journal.appendWritten(forwardingLine(call, key, Date.now()));
    this.forwarded.set(key, seq);
    await written;
    return key;
  }

  /** Queues one event and returns at once; it is written within the flush interval. */
  enqueue(event: GatewayAuditEvent): void {
    const key = event.forwardKey ?? nextAuditKey();
    if (event.forwardKey) this.forwarded.delete(event.forwardKey);
    const occurredAt = new Date();
    this.push(auditOf(event, key, occurredAt), decisionLine(event, key, occurredAt.getTime()));
  }

  depth(): number {
    return this.pending.length + (this.inFlight?.length ?? 0);
  }

  /** Calls forwarded whose outcome is not yet known. */
  inFlightCalls(): number {
    return this.forwarded.size;
  }

  /** Journal segments not yet released (tests). */
  journalFiles(): string[] {
    return this.journal.files();
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
        throw new Error(`Audit events could not be written within ${timeoutMs} ms (${this.depth()} kept queued): ${errorText(this.lastError)}`, {
          cause: this.lastError,
        });
      }
      if (!written) await sleep(Math.min(this.retryDelay(), deadline - Date.now()));
    }
  }

  /**
   * For shutdown: forward no new call, let calls at their backends end (up to `drainMs`), flush within
   * `timeoutMs`, else move what is left to the spool file. Returns how many were spooled. Calls still
   * at their backends after `drainMs` stay in the journal, replayed on the next start.
   */
  shutdown({ drainMs = 5_000, timeoutMs = 3_000 }: { drainMs?: number; timeoutMs?: number } = {}): Promise<number> {
    this.stopping ??= this.stop(drainMs, timeoutMs);
    return this.stopping;
  }

  /** The last resort, from the process's `exit` event where nothing asynchronous runs. */
  spoolSync(): number {
    const events = this.takeAll();
    if (events.length > 0) {
      mkdirSync(path.dirname(this.spoolFile), { recursive: true });
      appendFileSync(this.spoolFile, toLines(events));
    }
    this.journal.close(this.firstOutstanding());
    return events.length;
  }

  /** Writes the events earlier runs left in spool and journal files; returns how many. */
  replaySpool(): Promise<number> {
    return replayAuditFiles({ file: this.spoolFile, write: this.write, quarantineFile: this.quarantineFile, batchSize: this.batchSize });
  }

  /** `line` is the event's journal line: the gateway's own report, or the audit event itself. */
  private push(audit: QueuedAudit, line = `${JSON.stringify(audit)}\n`): void {
    this.pending.push({ audit, journalSeq: this.journal.appendSoon(line) });
    this.enqueued++;
    // While writes fail, the scheduled retry (with its backoff) takes the new events along.
    if (this.pending.length >= this.batchSize && this.failures === 0) void this.drain();
    else this.timer ??= setTimeout(this.onTimer, this.failures > 0 ? this.retryDelay() : this.flushIntervalMs).unref();
  }

  private async stop(drainMs: number, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + drainMs;
    while (this.forwarded.size > 0 && Date.now() < deadline) await sleep(10);
    const spooled = await this.flushOrSpool(timeoutMs);
    this.journal.close(this.firstOutstanding());
    return spooled;
  }

  /** Flushes within `timeoutMs`, else moves what is left to the spool file; returns how many were spooled. */
  async flushOrSpool(timeoutMs = 3_000): Promise<number> {
    try {
      await this.flush({ timeoutMs });
      return 0;
    } catch {
      return this.spool();
    }
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
    this.journal.sync();
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      this.inFlight = batch;
      let poisoned: QuarantinedItem[];
      try {
        poisoned = await this.writeBatch(batch);
      } catch (error) {
        if (this.inFlight === batch) this.pending.unshift(...batch); // unless the spool took it over
        this.inFlight = null;
        await this.writeFailed(error);
        return false;
      }
      // Each event set aside is itself recorded (with its unsafe characters replaced), and counted.
      for (const notice of await quarantine(poisoned, this.quarantineFile)) this.push({ ...notice, correlationId: notice.correlationId ?? "", occurredAt: new Date(), idempotencyKey: nextAuditKey() });
      if (this.inFlight === batch) this.settled += batch.length;
      this.inFlight = null;
      if (this.failures > 0) console.error(`[toolgate] audit writes recovered after ${this.failures} failed attempt(s).`);
      this.failures = 0;
      wrote = true;
      this.journal.release(this.firstOutstanding());
    }
    // Events spooled during an outage go back as soon as the database takes writes again.
    if (wrote && this.spooledWhileRunning) {
      this.spooledWhileRunning = false;
      this.replaySpool().catch((error: unknown) => console.error(`[toolgate] replaying the audit spool failed: ${errorText(error)}`));
    }
    return true;
  }

  // Writes the batch, splitting it around any event the database refuses for its content (never a
  // notice of an earlier one: those carry nothing the database could refuse, so a loop cannot start).
  private async writeBatch(batch: Entry[]): Promise<QuarantinedItem[]> {
    const poisoned: QuarantinedItem[] = [];
    await writeIsolating(
      batch.map((entry) => entry.audit),
      this.write,
      (event, error) => {
        if (event.action === quarantineAction) return console.error(`[toolgate] a quarantine notice could not be written: ${errorText(error)}`);
        poisoned.push({ source: "queue", error: errorText(error), event, correlationId: event.correlationId, action: event.action });
      },
    );
    return poisoned;
  }

  private async writeFailed(error: unknown): Promise<void> {
    this.lastError = error;
    this.failures++;
    if (this.failures === 1) console.error(`[toolgate] audit events could not be written; keeping them queued and retrying: ${errorText(error)}`);
    if (this.depth() >= this.maxQueued) {
      await this.spool().catch((spoolError: unknown) => console.error(`[toolgate] audit spool write failed: ${errorText(spoolError)}`));
      this.spooledWhileRunning = true;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(this.onTimer, this.retryDelay()).unref();
  }

  // The journal line below which everything is in the database or the spool.
  private firstOutstanding(): number {
    let first = Infinity;
    if (this.inFlight?.[0]) first = this.inFlight[0].journalSeq;
    if (this.pending[0]) first = Math.min(first, this.pending[0].journalSeq);
    for (const seq of this.forwarded.values()) return Math.min(first, seq);
    return first;
  }

  // Takes every event not yet written, the in-flight batch included: should that write still land,
  // the replay finds its idempotency keys and skips them.
  private takeAll(): QueuedAudit[] {
    const entries = this.inFlight ? [...this.inFlight, ...this.pending] : this.pending;
    this.inFlight = null;
    this.pending = [];
    this.settled += entries.length;
    return entries.map((entry) => entry.audit);
  }

  private async spool(): Promise<number> {
    const entries = this.inFlight ? [...this.inFlight, ...this.pending] : [...this.pending];
    const events = this.takeAll();
    if (events.length === 0) return 0;
    try {
      await mkdir(path.dirname(this.spoolFile), { recursive: true });
      await appendFile(this.spoolFile, toLines(events));
    } catch (error) {
      // Not on disk either: back into memory, where the exit hook makes its synchronous attempt.
      this.pending.unshift(...entries);
      this.settled -= events.length;
      throw error;
    }
    this.journal.release(this.firstOutstanding());
    console.error(`[toolgate] ${events.length} audit event(s) written to ${this.spoolFile}; they are replayed on the next start.`);
    return events.length;
  }
}

/**
 * Replays the spool and the journals of ended processes: each file is first renamed to a claim of this
 * process, so events spooled meanwhile start a new file; claims left by a process that died mid-replay
 * are adopted. Events already recorded are skipped; unreadable lines and events the database refuses
 * are set aside in the quarantine file; the claims are deleted once the rest is written.
 */
export function replayAuditSpool(options: { file?: string; write?: AuditBatchWriter; quarantineFile?: string } = {}): Promise<number> {
  const file = options.file ?? defaultSpoolFile();
  return replayAuditFiles({
    file,
    write: options.write ?? defaultWrite,
    quarantineFile: options.quarantineFile ?? (options.file ? path.join(path.dirname(file), "audit-quarantine.jsonl") : defaultQuarantineFile()),
  });
}

// One queue per process, shared by every bundle Next.js builds (route handlers, instrumentation).
const gatewayAuditQueue = () => singleton("auditQueue", () => new AuditQueue());
const existingAuditQueue = () => existingSingleton<AuditQueue>("auditQueue");

/** Queues a gateway decision's audit event; returns at once, no database round trip. */
export function enqueueGatewayAudit(event: GatewayAuditEvent): void {
  // An event without a view of its own (an edge refusal) names the set this process last read.
  event.policySet ??= policySetInForce();
  gatewayAuditQueue().enqueue(event);
}

/**
 * Records that a call is about to be forwarded (see AuditQueue.beginForward); its final event carries
 * the key returned. Null once the process is stopping: the call must not be forwarded.
 */
export function beginGatewayForward(call: ForwardedCall): Promise<string | null> {
  call.policySet ??= policySetInForce();
  return gatewayAuditQueue().beginForward(call);
}

/** Waits until every queued gateway audit event is written (tests, shutdown). */
export function flushGatewayAudit(options?: { timeoutMs?: number }): Promise<void> {
  return gatewayAuditQueue().flush(options);
}

/** Events queued and not yet written, for metrics. */
export function auditQueueDepth(): number {
  return existingAuditQueue()?.depth() ?? 0;
}

/**
 * Stops the process's gateway auditing for its end: calls at their backends finish (within a bound) and
 * every event is written or spooled. Call it before ending the process; any later call shares the first.
 */
export function shutdownGatewayAudit(): Promise<number> {
  return existingAuditQueue()?.shutdown() ?? Promise.resolve(0);
}

/**
 * On SIGTERM/SIGINT, stop forwarding, let calls in flight end, then flush (spooling what the database
 * will not take); on beforeExit, flush; on exit, spool synchronously whatever is still queued, e.g.
 * when another handler exits first.
 */
export function installAuditShutdownHooks(): void {
  const hooks = singleton("auditShutdownHooks", () => ({ installed: false }));
  if (hooks.installed) return;
  hooks.installed = true;
  const report = (error: unknown) => console.error(`[toolgate] audit shutdown: ${errorText(error)}`);
  process.on("beforeExit", () => {
    if (auditQueueDepth() > 0) gatewayAuditQueue().flushOrSpool().catch(report);
  });
  process.on("exit", () => {
    try {
      existingAuditQueue()?.spoolSync();
    } catch (error) {
      report(error);
    }
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      shutdownGatewayAudit()
        .catch(report)
        // Listening replaced Node's default of ending the process; if no one else will, end it the same way.
        .finally(() => {
          if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
        });
    });
  }
}


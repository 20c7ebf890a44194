import { randomBytes } from "node:crypto";
import { closeSync, fdatasync, mkdirSync, openSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { singleton } from "@/lib/runtime/singleton";

// The gateway's audit journal: every event, and every call about to be forwarded, is appended to a local
// file before the backend sees the call, so an event survives the process being killed (SIGKILL, OOM)
// before its batch reached the database: the kernel holds what was written. fdatasync runs once per
// batch, for power loss. A segment is deleted once every line in it is in the database or the spool; the next start replays the segments of processes that are gone
// (docs/decisions/016-audit-durability.md).

const segmentBytes = 1024 * 1024;

/** Journal segment files: `audit-journal.<pid>-<boot>.<n>.jsonl`, one series per process run. */
export const journalPattern = /^audit-journal\.(\d+)-([0-9a-f]+)\.\d+\.jsonl$/;

// A singleton: Next.js may load this module more than once in one process, and both copies must
// agree on which journals are this process's and never hand out the same key.
const run = singleton("auditRun", () => ({ bootId: randomBytes(4).toString("hex"), keys: 0 }));

/** This process run's boot id: tells its journal from a journal of an earlier process with the same pid. */
export const bootId = run.bootId;

/** A key no other event of any run has: pid, boot id and a counter of this run. */
export function nextAuditKey(): string {
  return `${process.pid}-${bootId}-${++run.keys}`;
}

interface Waiter {
  promise: Promise<void>;
  resolve: () => void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

interface Segment {
  file: string;
  /** The journal sequence number of the segment's last line. */
  lastSeq: number;
}

export class AuditJournal {
  private seq = 0;
  private fd: number | null = null;
  private current: Segment | null = null;
  private currentBytes = 0;
  private segmentNo = 0;
  private readonly closed: Segment[] = [];
  private buffer = "";
  private bufferLastSeq = 0;
  private flushScheduled = false;
  private broken = false;
  /** Settled by the next write: what appendWritten's callers wait for. */
  private waiting: Waiter | null = null;

  constructor(private readonly dir: string) {}

  /**
   * Appends the line with the others of this event-loop turn and resolves once they are written: one
   * write call for every call forwarded in the turn (a group commit), where a write per call cost more
   * CPU than the rest of the journal together.
   */
  appendWritten(line: string): { seq: number; written: Promise<void> } {
    const seq = this.appendSoon(line);
    this.waiting ??= waiter();
    return { seq, written: this.waiting.promise };
  }

  /** Appends the line at the end of this event-loop turn, together with the others of the turn. */
  appendSoon(line: string): number {
    this.buffer += line;
    this.bufferLastSeq = ++this.seq;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.onImmediate);
    }
    return this.seq;
  }

  /** Asks the disk to keep what was written (once per batch, not per call); failures only cost durability. */
  sync(): void {
    this.writeBuffer();
    if (this.fd !== null) fdatasync(this.fd, () => undefined);
  }

  /** Drops the segments whose every line is below `firstOutstanding` (everything written or spooled). */
  release(firstOutstanding: number): void {
    this.writeBuffer();
    while (this.closed.length > 0 && this.closed[0]!.lastSeq < firstOutstanding) this.remove(this.closed.shift()!.file);
    // All of the current segment is safe: it goes too (a new one is opened by the next line), so an idle
    // or stopped process leaves no file behind.
    if (this.fd !== null && this.current && this.current.lastSeq < firstOutstanding) {
      closeSync(this.fd);
      this.fd = null;
      this.remove(this.current.file);
      this.current = null;
    }
  }

  /** For the end of the process: writes what is buffered, then deletes the segments `release` allows. */
  close(firstOutstanding: number): void {
    this.release(firstOutstanding);
    if (this.fd === null || !this.current) return;
    closeSync(this.fd);
    this.fd = null;
    this.closed.push(this.current);
    this.current = null;
  }

  /** Every segment this journal has written and not yet deleted (tests). */
  files(): string[] {
    return [...this.closed.map((segment) => segment.file), ...(this.current ? [this.current.file] : [])];
  }

  private readonly onImmediate = () => {
    this.flushScheduled = false;
    this.writeBuffer();
  };

  private writeBuffer(): void {
    const waiting = this.waiting;
    this.waiting = null;
    // Resolved whether or not the write works: a broken journal costs durability, never the call.
    try {
      this.writeText();
    } finally {
      waiting?.resolve();
    }
  }

  private writeText(): void {
    if (!this.buffer || this.broken) return;
    const text = this.buffer;
    this.buffer = "";
    try {
      if (this.fd === null) this.open();
      writeSync(this.fd!, text);
      this.current!.lastSeq = this.bufferLastSeq;
      this.currentBytes += Buffer.byteLength(text);
      if (this.currentBytes >= segmentBytes) this.rotate();
    } catch (error) {
      // The call path must not fail on a full or read-only disk: the queue and spool still work.
      this.broken = true;
      console.error(`[toolgate] the audit journal in ${this.dir} cannot be written; gateway events are no longer kept across a crash: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private open(): void {
    mkdirSync(this.dir, { recursive: true });
    const file = path.join(this.dir, `audit-journal.${process.pid}-${bootId}.${++this.segmentNo}.jsonl`);
    this.fd = openSync(file, "a");
    this.current = { file, lastSeq: 0 };
    this.currentBytes = 0;
  }

  private rotate(): void {
    closeSync(this.fd!);
    this.closed.push(this.current!);
    this.fd = null;
    this.current = null;
  }

  private remove(file: string): void {
    try {
      unlinkSync(file);
    } catch {
      // Already gone: nothing to keep.
    }
  }
}

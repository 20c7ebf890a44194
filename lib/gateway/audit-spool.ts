import { randomUUID } from "node:crypto";
import { appendFile, readdir, readFile, rename, unlink } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import type { AuditAction } from "@/lib/audit/actions";
import { writeIsolating } from "@/lib/audit/isolate";
import { errorText, quarantine, type QuarantinedItem } from "@/lib/audit/quarantine";
import type { AuditInput } from "@/lib/audit/record";
import type { Prisma } from "@/lib/generated/prisma/client";
import { auditOfJournalLine, journalLine } from "./audit-event";
import { bootId, journalPattern } from "./audit-journal";

// Replaying what earlier runs left in the data folder: the spool (events the database would not take
// before the process ended) and the journals of processes that are gone (docs/decisions/016). Every file
// is first renamed to a claim of this process, so two processes never replay the same file. Lines are
// replayed together, one row per idempotency key (a call's final event beats the line written when it
// was forwarded, which is recorded as interrupted only if nothing else says how it ended), in batches;
// an event the database refuses and a line that cannot be read are set aside in the quarantine file,
// and the rest are written.

export type QueuedAudit = AuditInput & { correlationId: string; occurredAt: Date; idempotencyKey?: string };
export type AuditBatchWriter = (events: QueuedAudit[]) => Promise<void>;

const spooledAudit = z.object({
  actor: z.object({ id: z.string().nullable(), label: z.string() }),
  action: z.string(),
  target: z.object({ type: z.string(), id: z.string().nullable().optional() }),
  outcome: z.enum(["success", "denied", "failure"]),
  reason: z.string().nullable(),
  correlationId: z.string(),
  details: z.record(z.string(), z.json()).optional(),
  occurredAt: z.coerce.date(),
  idempotencyKey: z.string().optional(),
});

interface Parsed {
  events: QueuedAudit[];
  unreadable: QuarantinedItem[];
}

// A spool line is an audit event; a journal line is a gateway decision, or a call being forwarded.
function parseLine(line: string): { audit: QueuedAudit; forwarding: boolean } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { error: "not valid JSON" }; // e.g. a line cut short by a crash mid-append
  }
  const spooled = spooledAudit.safeParse(json);
  // Its action is replayed as spooled, even one a later version no longer writes.
  if (spooled.success) return { audit: { ...spooled.data, action: spooled.data.action as AuditAction, details: spooled.data.details as Prisma.InputJsonObject | undefined }, forwarding: false };
  const journaled = journalLine.safeParse(json);
  if (journaled.success) return auditOfJournalLine(journaled.data);
  return { error: `not an audit event: ${spooled.error.issues[0]?.message}` };
}

function parseLines(texts: string[]): Parsed {
  const byKey = new Map<string, QueuedAudit>();
  const unkeyed: QueuedAudit[] = [];
  const unreadable: QuarantinedItem[] = [];
  for (const text of texts) {
    for (const line of text.split("\n")) {
      if (!line.trim()) continue;
      const parsed = parseLine(line);
      if ("error" in parsed) {
        unreadable.push({ source: "spool", error: parsed.error, line });
        continue;
      }
      const { audit, forwarding } = parsed;
      if (!audit.idempotencyKey) unkeyed.push(audit);
      else if (!forwarding || !byKey.has(audit.idempotencyKey)) byKey.set(audit.idempotencyKey, audit);
    }
  }
  const events = [...unkeyed, ...byKey.values()].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  return { events, unreadable };
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

export interface ReplayOptions {
  /** The spool file; claims and journals are looked for in its folder. */
  file: string;
  write: AuditBatchWriter;
  quarantineFile: string;
  batchSize?: number;
}

/** Replays the spool and the journals of ended processes; returns how many events were written or found written. */
export function replayAuditFiles(options: ReplayOptions): Promise<number> {
  const run = replays.then(() => replayClaims(options));
  replays = run.catch(() => undefined);
  return run;
}

// A journal is another run's when its pid is gone, or is this process's pid with another boot id.
function endedJournal(name: string): boolean {
  const match = journalPattern.exec(name);
  if (!match) return false;
  const pid = Number(match[1]);
  return pid === process.pid ? match[2] !== bootId : !processAlive(pid);
}

function abandonedClaim(name: string, dir: string, base: string): boolean {
  const suffix = ".replaying.jsonl";
  if (!name.startsWith(`${base}.`) || !name.endsWith(suffix)) return false;
  const owner = /^(\d+)-/.exec(name.slice(base.length + 1, -suffix.length));
  if (!owner || activeClaims.has(path.join(dir, name))) return false;
  const pid = Number(owner[1]);
  return pid === process.pid || !processAlive(pid);
}

async function claimFiles(file: string): Promise<string[]> {
  const dir = path.dirname(file);
  const base = path.basename(file, ".jsonl");
  const claim = () => path.join(dir, `${base}.${process.pid}-${randomUUID()}.replaying.jsonl`);
  const names = await readdir(dir).catch(() => [] as string[]);
  const sources = names.filter((name) => endedJournal(name) || abandonedClaim(name, dir, base)).map((name) => path.join(dir, name));
  sources.push(file);
  const claims: string[] = [];
  for (const source of sources) {
    const claimed = claim();
    if (await rename(source, claimed).then(() => true, () => false)) claims.push(claimed);
  }
  return claims;
}

async function replayClaims({ file, write, quarantineFile, batchSize = 500 }: ReplayOptions): Promise<number> {
  const claims = await claimFiles(file);
  if (claims.length === 0) return 0;
  for (const claimed of claims) activeClaims.add(claimed);
  try {
    const { events, unreadable } = parseLines(await Promise.all(claims.map((claimed) => readFile(claimed, "utf8"))));
    const poisoned: QuarantinedItem[] = [];
    const onPoisoned = (event: QueuedAudit, error: unknown) =>
      poisoned.push({ source: "spool", error: errorText(error), event, correlationId: event.correlationId, action: event.action });
    for (let i = 0; i < events.length; i += batchSize) await writeIsolating(events.slice(i, i + batchSize), write, onPoisoned);
    const notices = await quarantine([...unreadable, ...poisoned], quarantineFile);
    const occurredAt = new Date();
    const noticeEvents = notices.map((notice) => ({ ...notice, correlationId: notice.correlationId ?? randomUUID(), occurredAt, idempotencyKey: randomUUID() }));
    // Should the database fail now, the notices wait in the spool: the claims must go, or the next
    // replay would set the same lines aside twice.
    await write(noticeEvents).catch(() => appendFile(file, noticeEvents.map((event) => `${JSON.stringify(event)}\n`).join("")));
    await Promise.all(claims.map((claimed) => unlink(claimed)));
    return events.length - poisoned.length;
  } finally {
    for (const claimed of claims) activeClaims.delete(claimed);
  }
}

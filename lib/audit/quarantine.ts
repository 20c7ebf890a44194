import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db/prisma";
import type { AuditAction } from "./actions";
import { type AuditInput, systemActor } from "./record";
import { dataFile } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";

// Audit events the database refused for their content, and spool or journal lines that could not be read,
// are set aside here rather than blocking every event behind them: one JSON line each in the data folder's
// quarantine file. JSON.stringify escapes every control character and lone surrogate, so the file keeps
// the original text exactly and cannot itself fail on it. Each one also leaves an audit event (with the
// unsafe characters replaced), which the audit page counts for administrators.

export const quarantineAction = "audit.event_quarantined" satisfies AuditAction;

export type QuarantineSource = "queue" | "spool";

export interface QuarantinedItem {
  source: QuarantineSource;
  /** Why it was set aside: the database's error, or why the line could not be read. */
  error: string;
  /** The event as it was to be written, or the raw line that could not be read. */
  event?: unknown;
  line?: string;
  correlationId?: string;
  action?: string;
}

const quarantined = singleton("auditQuarantined", () => ({ count: 0 }));

/** Events set aside by this process since it started, for the metrics. */
export function auditQuarantinedCount(): number {
  return quarantined.count;
}

/** The quarantine file of the data folder (TOOLGATE_DATA_DIR, default ./data). */
export function defaultQuarantineFile(): string {
  return dataFile("audit-quarantine.jsonl");
}

/** An error's message on one line: Prisma's open with the call that failed, the database's reason last. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n").map((line) => line.trim()).filter(Boolean).at(-1) ?? text;
}

/**
 * Appends the items to the quarantine file and returns the audit events that say so. Should the disk
 * refuse too, the items go to the process's error output, the one place left.
 */
export async function quarantine(items: QuarantinedItem[], file: string): Promise<AuditInput[]> {
  if (items.length === 0) return [];
  const at = new Date().toISOString();
  const lines = items.map((item) => `${JSON.stringify({ quarantinedAt: at, ...item })}\n`).join("");
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await appendFile(file, lines);
  } catch (error) {
    console.error(`[toolgate] the audit quarantine file ${file} could not be written (${errorText(error)}); the events set aside were:\n${lines}`);
  }
  quarantined.count += items.length;
  console.error(`[toolgate] ${items.length} audit event(s) could not be written and were set aside in ${file}.`);
  return items.map((item) => ({
    actor: systemActor,
    action: quarantineAction,
    target: { type: "audit" },
    outcome: "failure",
    reason: `An audit event (${item.action ?? "unreadable line"}) could not be written and was set aside in ${file}: ${item.error}`,
    correlationId: item.correlationId,
    details: { source: item.source, file, ...(item.action ? { action: item.action } : {}) },
  }));
}

export interface QuarantineSummary {
  count: number;
  lastAt: Date | null;
  /** The quarantine files named by these events (one per machine that set events aside). */
  files: string[];
}

/**
 * How many audit events were set aside, when last, and where: for the alert on the audit page.
 * Unscoped read: the caller checks "audit.quarantine".
 */
export async function quarantineSummary(): Promise<QuarantineSummary> {
  const [count, last, files] = await Promise.all([
    db().auditEvent.count({ where: { action: quarantineAction } }),
    db().auditEvent.findFirst({ where: { action: quarantineAction }, orderBy: { chainSeq: "desc" }, select: { occurredAt: true } }),
    db().$queryRaw<{ file: string }[]>`SELECT DISTINCT "details"->>'file' AS "file" FROM "audit_events" WHERE "action" = ${quarantineAction} AND "details"->>'file' IS NOT NULL LIMIT 10`,
  ]);
  return { count, lastAt: last?.occurredAt ?? null, files: files.map((row) => row.file) };
}

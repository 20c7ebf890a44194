import { z } from "zod";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { contentDisposition } from "@/lib/evidence/download";
import type { AuditEvent } from "@/lib/generated/prisma/client";
import { parseInput } from "@/lib/validation";
import { auditFilterKeys, parseAuditFilters } from "./filters";
import { auditEventsForExport } from "./query";
import { personActor, recordAudit } from "@/lib/audit/record";

// Exports of the audit trail for auditors and their tools: CSV for spreadsheets, JSON Lines for
// scripts. Both carry each event's chain position and hashes, so an export can be checked against the
// chain. Exports stream page by page (lib/audit-trail/query.ts), however long the trail.

const exportFormats = ["csv", "jsonl"] as const;
export type ExportFormat = (typeof exportFormats)[number];

const formatQuery = z.object({
  format: z.enum(exportFormats, { error: "Choose the export format: format=csv or format=jsonl." }),
});

export const exportColumns = [
  "chainSeq",
  "occurredAt",
  "actorLabel",
  "actorId",
  "action",
  "targetType",
  "targetId",
  "outcome",
  "reason",
  "correlationId",
  "details",
  "prevHash",
  "hash",
] as const;

/** An event as exported: JSON-safe (BigInt as a decimal string, times in ISO 8601 UTC), in column order. */
function exportRecord(event: AuditEvent) {
  return {
    chainSeq: event.chainSeq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    actorLabel: event.actorLabel,
    actorId: event.actorId,
    action: event.action,
    targetType: event.targetType,
    targetId: event.targetId,
    outcome: event.outcome,
    reason: event.reason,
    correlationId: event.correlationId,
    details: event.details,
    prevHash: event.prevHash,
    hash: event.hash,
  } satisfies Record<(typeof exportColumns)[number], unknown>;
}

/**
 * One CSV field (RFC 4180). A value a spreadsheet would run as a formula (starting with = + - @, a tab
 * or a carriage return) gets a leading apostrophe: reasons and actor labels are typed by people and
 * agents, and an export must not become a way to run a formula on an auditor's machine.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvHeader = `${exportColumns.join(",")}\r\n`;

export function csvLine(event: AuditEvent): string {
  const record = exportRecord(event);
  const cells = exportColumns.map((column) => {
    const value = record[column];
    if (value === null) return "";
    return csvField(column === "details" ? JSON.stringify(value) : String(value));
  });
  return `${cells.join(",")}\r\n`;
}

export function jsonLine(event: AuditEvent): string {
  return `${JSON.stringify(exportRecord(event))}\n`;
}

/** The export as a byte stream: a chunk per page of events, read only as fast as the client takes them. */
export function exportStream(pages: AsyncGenerator<AuditEvent[]>, format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const line = format === "csv" ? csvLine : jsonLine;
  let headerSent = format !== "csv";
  return new ReadableStream({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvHeader));
        return;
      }
      const next = await pages.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value.map(line).join("")));
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}

const contentTypes: Record<ExportFormat, string> = { csv: "text/csv; charset=utf-8", jsonl: "application/x-ndjson" };

export interface AuditExport {
  headers: Record<string, string>;
  body: ReadableStream<Uint8Array>;
}

/** Starts an export of the events matching the query's filters, in the query's `format`; the export itself is audited. */
export async function exportAuditTrail(actor: Actor, query: Record<string, string>): Promise<AuditExport> {
  await guard(actor, "audit.export", { type: "audit" });
  const { format } = parseInput(formatQuery, query);
  const filters = parseAuditFilters(query);
  // The filters as given, not as parsed: what the person asked for, in their words.
  const given = Object.fromEntries([...auditFilterKeys, "cursor"].filter((key) => query[key]).map((key) => [key, query[key]!]));
  await recordAudit(db(), { actor: personActor(actor), action: "audit.export", target: { type: "audit" }, outcome: "success", details: { format, filters: given } });
  const fileName = `toolgate-audit-${new Date().toISOString().slice(0, 10)}.${format}`;
  return {
    headers: {
      "Content-Type": contentTypes[format],
      "Content-Disposition": contentDisposition(fileName),
      "X-Content-Type-Options": "nosniff",
      // The trail is personal data about who did what: no shared cache keeps a copy.
      "Cache-Control": "private, no-store",
    },
    body: exportStream(auditEventsForExport(filters), format),
  };
}

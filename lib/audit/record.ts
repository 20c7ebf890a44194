import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db/prisma";
import { correlationId } from "@/lib/request-context";
import { hasUnsafeCharacters, replaceUnsafeInJson } from "@/lib/text/unsafe-text";
import type { AuditAction } from "./actions";

export type AuditOutcome = "success" | "denied" | "failure";

export interface AuditActor {
  id?: string | null;
  /** What a reader sees: an email, "system", or later an agent's name. */
  label: string;
}

export interface AuditInput {
  actor: AuditActor;
  action: AuditAction;
  target: { type: string; id?: string | null };
  outcome: AuditOutcome;
  reason?: string | null;
  details?: Prisma.InputJsonValue;
  correlationId?: string;
  /** When it happened, if not now: a batched or replayed event keeps its own time. */
  occurredAt?: Date;
}

export const systemActor: AuditActor = { id: null, label: "system" };

/** How a signed-in person appears in the audit trail. */
export function personActor(person: { id: string; email: string }): AuditActor {
  return { id: person.id, label: person.email };
}

// Every audit write is this one INSERT of any number of events, in order, given as one JSON array. The
// database sets each row's place in the hash chain (migration 20261125000000_approvals_audit_chain). An
// event whose idempotency key is already recorded is skipped, so retried and replayed writes land once.
const insertAuditSql = `
  INSERT INTO "audit_events" ("occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", "outcome", "reason", "details", "correlation_id", "idempotency_key")
  SELECT COALESCE(e."occurred_at", CURRENT_TIMESTAMP), e."actor_id", e."actor_label", e."action", e."target_type", e."target_id",
         e."outcome"::"AuditOutcome", e."reason", e."details", e."correlation_id", e."idempotency_key"
  FROM jsonb_to_recordset($1::jsonb) AS e(
    "occurred_at" TIMESTAMPTZ, "actor_id" TEXT, "actor_label" TEXT, "action" TEXT, "target_type" TEXT, "target_id" TEXT,
    "outcome" TEXT, "reason" TEXT, "details" JSONB, "correlation_id" TEXT, "idempotency_key" TEXT, "n" INTEGER
  )
  WHERE e."idempotency_key" IS NULL OR NOT EXISTS (SELECT 1 FROM "audit_events" a WHERE a."idempotency_key" = e."idempotency_key")
  ORDER BY e."n"`;

export type BatchedAudit = AuditInput & { correlationId: string; idempotencyKey?: string };

// PostgreSQL refuses NUL and lone surrogates in text and jsonb, and one such character would fail the
// whole statement: every string written (keys of details included) has its unsafe characters replaced
// (bidi overrides and other controls too, so the trail reads as what happened).
function rowsJson(events: BatchedAudit[]): string {
  const rows = events.map((event, n) => ({
      n,
      occurred_at: event.occurredAt?.toISOString() ?? null,
      actor_id: event.actor.id ?? null,
      actor_label: event.actor.label,
      action: event.action,
      target_type: event.target.type,
      target_id: event.target.id ?? null,
      outcome: event.outcome,
      reason: event.reason ?? null,
      details: event.details ?? null,
      correlation_id: event.correlationId,
      idempotency_key: event.idempotencyKey ?? null,
    }));
  const text = JSON.stringify(rows);
  // JSON.stringify writes controls and lone surrogates as \u escapes, so text without one (nor a raw
  // unsafe character) is clean as it is; only a batch with one pays for the copy that replaces them.
  return text.includes("\\u") || hasUnsafeCharacters(text) ? JSON.stringify(replaceUnsafeInJson(rows)) : text;
}

/** Appends one audit event; pass the transaction of the change it records so both land or neither. */
export async function recordAudit(tx: Tx, event: AuditInput): Promise<void> {
  await recordAuditBatch(tx, [{ ...event, correlationId: event.correlationId ?? (await correlationId()) }]);
}

/** Appends several audit events in one statement, in order. */
export async function recordAuditBatch(tx: Tx, events: BatchedAudit[]): Promise<void> {
  if (events.length > 0) await tx.$executeRawUnsafe(insertAuditSql, rowsJson(events));
}

/**
 * The same statement on a plain node-postgres connection: the gateway writes its batches here, off
 * Prisma's query engine, whose per-statement work would otherwise stall the call path every flush.
 */
export async function recordAuditBatchOn(client: { query(text: string, values: unknown[]): Promise<unknown> }, events: BatchedAudit[]): Promise<void> {
  if (events.length > 0) await client.query(insertAuditSql, [rowsJson(events)]);
}

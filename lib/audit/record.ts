import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db/prisma";
import { correlationId } from "@/lib/request-context";

export type AuditOutcome = "success" | "denied" | "failure";

export interface AuditActor {
  id?: string | null;
  /** What a reader sees: an email, "system", or later an agent's name. */
  label: string;
}

export interface AuditInput {
  actor: AuditActor;
  action: string;
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

// Every audit write goes through insertAuditRows: one INSERT of any number of events, in order. The
// database sets each row's place in the hash chain (migration 20261125000000_approvals_audit_chain).
function auditRow(event: AuditInput, correlation: string) {
  return {
    occurred_at: event.occurredAt?.toISOString() ?? null,
    actor_id: event.actor.id ?? null,
    actor_label: event.actor.label,
    action: event.action,
    target_type: event.target.type,
    target_id: event.target.id ?? null,
    outcome: event.outcome,
    reason: event.reason ?? null,
    details: event.details ?? null,
    correlation_id: correlation,
  };
}

async function insertAuditRows(tx: Tx, rows: ReturnType<typeof auditRow>[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "audit_events" ("occurred_at", "actor_id", "actor_label", "action", "target_type", "target_id", "outcome", "reason", "details", "correlation_id")
    SELECT COALESCE(e."occurred_at", CURRENT_TIMESTAMP), e."actor_id", e."actor_label", e."action", e."target_type", e."target_id",
           e."outcome"::"AuditOutcome", e."reason", e."details", e."correlation_id"
    FROM jsonb_to_recordset(${JSON.stringify(rows.map((row, n) => ({ ...row, n })))}::jsonb) AS e(
      "occurred_at" TIMESTAMPTZ, "actor_id" TEXT, "actor_label" TEXT, "action" TEXT, "target_type" TEXT, "target_id" TEXT,
      "outcome" TEXT, "reason" TEXT, "details" JSONB, "correlation_id" TEXT, "n" INTEGER
    )
    ORDER BY e."n"`;
}

/** Appends one audit event; pass the transaction of the change it records so both land or neither. */
export async function recordAudit(tx: Tx, event: AuditInput): Promise<void> {
  await insertAuditRows(tx, [auditRow(event, event.correlationId ?? (await correlationId()))]);
}

/** Appends several audit events in one statement, in order (the gateway's batched writes). */
export async function recordAuditBatch(tx: Tx, events: (AuditInput & { correlationId: string })[]): Promise<void> {
  await insertAuditRows(tx, events.map((event) => auditRow(event, event.correlationId)));
}

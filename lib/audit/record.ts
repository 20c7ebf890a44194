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

// Every audit write goes through auditRow, so a change to how events are stored lands in one place.
function auditRow(event: AuditInput, correlation: string): Prisma.AuditEventCreateManyInput {
  return {
    occurredAt: event.occurredAt,
    actorId: event.actor.id ?? null,
    actorLabel: event.actor.label,
    action: event.action,
    targetType: event.target.type,
    targetId: event.target.id ?? null,
    outcome: event.outcome,
    reason: event.reason ?? null,
    details: event.details,
    correlationId: correlation,
  };
}

/** Appends one audit event; pass the transaction of the change it records so both land or neither. */
export async function recordAudit(tx: Tx, event: AuditInput): Promise<void> {
  await tx.auditEvent.create({ data: auditRow(event, event.correlationId ?? (await correlationId())) });
}

/** Appends several audit events in one statement, in order (the gateway's batched writes). */
export async function recordAuditBatch(tx: Tx, events: (AuditInput & { correlationId: string })[]): Promise<void> {
  await tx.auditEvent.createMany({ data: events.map((event) => auditRow(event, event.correlationId)) });
}

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
}

export const systemActor: AuditActor = { id: null, label: "system" };

/** How a signed-in person appears in the audit trail. */
export function personActor(person: { id: string; email: string }): AuditActor {
  return { id: person.id, label: person.email };
}

/** Appends one audit event; pass the transaction of the change it records so both land or neither. */
export async function recordAudit(tx: Tx, event: AuditInput): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: event.actor.id ?? null,
      actorLabel: event.actor.label,
      action: event.action,
      targetType: event.target.type,
      targetId: event.target.id ?? null,
      outcome: event.outcome,
      reason: event.reason ?? null,
      details: event.details,
      correlationId: event.correlationId ?? (await correlationId()),
    },
  });
}

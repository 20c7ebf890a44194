import type { RefusalAction } from "@/lib/audit/actions";
import { personActor, recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { type Action, can, refusalMessage } from "./authorize";
import type { Actor } from "./roles";

// Every refusal of a person's action goes through `refuse`: it leaves a "denied" audit event (who,
// what, on what, why) and throws the ForbiddenError (403) the person reads. A refusal thrown anywhere
// else would go unrecorded, so lib/auth/refusals.test.ts looks for one.

export interface AuditTarget {
  type: string;
  id?: string;
}

/** The "denied" audit event of a refusal; `reason` is for the audit trail. */
export async function auditRefusal(actor: Actor, action: RefusalAction, target: AuditTarget, reason: string): Promise<void> {
  await recordAudit(db(), { actor: personActor(actor), action, target, outcome: "denied", reason });
}

/** Audits the refusal, then throws it as a ForbiddenError with the message. */
export async function refuse(actor: Actor, action: RefusalAction, target: AuditTarget, reason: string, message: string): Promise<never> {
  await auditRefusal(actor, action, target, reason);
  throw new ForbiddenError(message);
}

/**
 * The check every protected operation starts with: refuses with ForbiddenError (403) unless the actor
 * may perform the action, and leaves a "denied" audit event when it refuses.
 */
export async function guard(actor: Actor, action: Action, target: AuditTarget): Promise<void> {
  if (!can(actor, action)) await refuse(actor, action, target, "missing role", refusalMessage(action));
}

import { personActor, recordAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { type Action, authorize, can } from "./authorize";
import type { Actor } from "./roles";

/**
 * The check every protected operation starts with: refuses with ForbiddenError (403) unless the actor
 * may perform the action, and leaves a "denied" audit event when it refuses.
 */
export async function guard(actor: Actor, action: Action, target: { type: string; id?: string }): Promise<void> {
  if (!can(actor, action)) {
    await recordAudit(db(), {
      actor: personActor(actor),
      action,
      target,
      outcome: "denied",
      reason: "missing role",
    });
  }
  authorize(actor, action);
}

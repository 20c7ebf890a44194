import type { AuditAction } from "@/lib/audit/actions";
import { recordAuditBatch, systemActor } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { getPolicy } from "@/lib/settings/policy";

// Housekeeping, every half minute: undecided requests past their time expire, approvals nobody used
// in time expire too, and requests undecided for longer than the escalation delay are flagged for
// administrators. Each change is audited as the system's.

export async function expireAndEscalateApprovals(now = new Date()): Promise<{ expired: number; escalated: number }> {
  const escalateAfter = await getPolicy("approvals.escalateAfterMinutes");
  return db().$transaction(async (tx) => {
    const expired = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "tool_call_approvals" SET "status" = 'expired'
      WHERE ("status" = 'pending' AND "expires_at" <= ${now}) OR ("status" = 'approved' AND "valid_until" <= ${now})
      RETURNING "id"`;
    const escalated = await tx.$queryRaw<{ id: string }[]>`
      UPDATE "tool_call_approvals" SET "escalated_at" = ${now}
      WHERE "status" = 'pending' AND "escalated_at" IS NULL AND "created_at" <= ${new Date(now.getTime() - escalateAfter * 60_000)}
      RETURNING "id"`;
    const audit = (action: AuditAction, id: string, reason: string) => ({
      actor: systemActor,
      action,
      target: { type: "tool_call_approval", id },
      outcome: "success" as const,
      reason,
      correlationId: crypto.randomUUID(),
    });
    await recordAuditBatch(tx, [
      ...expired.map(({ id }) => audit("toolcall.approval_expire", id, "not decided or not used in time")),
      ...escalated.map(({ id }) => audit("toolcall.approval_escalate", id, `undecided for ${escalateAfter} minutes`)),
    ]);
    return { expired: expired.length, escalated: escalated.length };
  });
}

import { personActor, recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/roles";
import { grantNeedsApprover } from "@/lib/catalog/risk";
import type { Tx } from "@/lib/db/prisma";
import type { RiskTier } from "@/lib/generated/prisma/client";

/**
 * When a reviewer certifies a server at a tier that needs an approver, the grants that took effect
 * without one (made while no reviewer's tier said so) wait for an approver again. Runs in the
 * certification's transaction; each grant sent back is audited there.
 */
export async function awaitApprovalAtTier(tx: Tx, actor: Actor, serverId: string, riskTier: RiskTier): Promise<number> {
  if (!grantNeedsApprover(riskTier)) return 0;
  const unapproved = await tx.grant.findMany({ where: { serverId, status: "active", decidedById: null }, select: { id: true, agentId: true } });
  if (unapproved.length === 0) return 0;
  await tx.grant.updateMany({ where: { id: { in: unapproved.map((grant) => grant.id) }, status: "active" }, data: { status: "pending" } });
  for (const grant of unapproved) {
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "grant.await-approval",
      target: { type: "agent", id: grant.agentId },
      outcome: "success",
      reason: `certified at risk ${riskTier}, which needs an approver`,
      details: { grantId: grant.id, serverId, riskTier },
    });
  }
  return unapproved.length;
}

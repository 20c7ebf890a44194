import { db } from "@/lib/db/prisma";

/**
 * Runtime tool-call approvals still waiting for a decision, and how many of those were escalated. A
 * pending request past its expiry counts as gone even before a sweep marks it expired.
 */
export async function pendingApprovalCounts(now = new Date()): Promise<{ pending: number; escalated: number }> {
  const waiting = { status: "pending", expiresAt: { gt: now } } as const;
  const [pending, escalated] = await Promise.all([
    db().toolCallApproval.count({ where: waiting }),
    db().toolCallApproval.count({ where: { ...waiting, escalatedAt: { not: null } } }),
  ]);
  return { pending, escalated };
}

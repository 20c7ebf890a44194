import { type CheckpointRow, recordCheckpoint } from "@/lib/audit/checkpoints";
import { db } from "@/lib/db/prisma";

// The periodic checkpoint of the audit chain's head (decision 041), run by the jobs scheduler.

export type SignOutcome = { signed: true; checkpoint: CheckpointRow } | { signed: false; reason: string };

/**
 * Signs the chain's current head, for the scheduler (e.g. every 10 minutes). Skips when the head has not moved
 * since the last head checkpoint, when there are no events, and when the head row does not name the last
 * event (verification reports that; a signature would vouch for it).
 */
export async function signAuditCheckpoint(now = new Date()): Promise<SignOutcome> {
  const [head] = await db().$queryRaw<{ seq: bigint; hash: string; event_hash: string | null }[]>`
    SELECT h."seq", h."hash", a."hash" AS "event_hash"
    FROM "audit_chain_head" h LEFT JOIN "audit_events" a ON a."chain_seq" = h."seq" WHERE h."id" = 1`;
  if (!head || head.seq === 0n) return { signed: false, reason: "The audit chain has no events yet." };
  if (head.event_hash !== head.hash) return { signed: false, reason: `The chain head (#${head.seq}) does not name the last event: verify the chain.` };
  const last = await db().auditCheckpoint.findFirst({ where: { kind: "head" }, orderBy: { chainSeq: "desc" }, select: { chainSeq: true } });
  if (last && last.chainSeq >= head.seq) return { signed: false, reason: `The head has not moved since the last checkpoint (#${head.seq}).` };
  return { signed: true, checkpoint: await recordCheckpoint(db(), "head", { seq: head.seq, hash: head.hash }, now) };
}

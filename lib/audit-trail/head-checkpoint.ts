import { type ChainFinding, type ChainStart, verifyChainSegment } from "@/lib/audit/chain";
import { type CheckpointRow, newestSignedCheckpoint, recordCheckpoint } from "@/lib/audit/checkpoints";
import { recordAudit, systemActor } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";

// The periodic checkpoint of the audit chain's head (decision 041), run by the jobs scheduler. A checkpoint
// vouches for the chain up to the head it signs, so the events since the previous checkpoint are verified
// first; a chain that does not verify is not signed, and the break is recorded once.

export type SignOutcome = { signed: true; checkpoint: CheckpointRow; /** Events verified before signing. */ verified: number } | { signed: false; reason: string };

/** The incident kind of a break found before signing (audit_chain_incidents; the database records "head_missing"). */
export const checkpointRefusedIncident = "checkpoint_refused";

/** The chain did not verify from the last checkpoint to the head: nothing was signed. The job run fails with it. */
export class AuditChainBrokenError extends Error {
  constructor(readonly finding: ChainFinding) {
    super(
      `Audit checkpoint not signed: the chain does not verify at #${finding.chainSeq}. ${finding.message} ` +
        "Verify the chain on the Audit page and repair or explain the break; the job signs again once it holds.",
    );
    this.name = "AuditChainBrokenError";
  }
}

/**
 * Signs the chain's current head, for the scheduler (e.g. every 10 minutes). Skips when there are no events
 * and when the head has not moved since the last checkpoint. Otherwise verifies the events from the newest
 * checkpoint (head or pruned anchor, its signature checked; the chain's start when there is none) to the head, reading
 * `batchSize` events per query, and signs only if they hold; if not, records the first break (an incident and
 * an `audit.checkpoint_refused` failure, once per break) and throws AuditChainBrokenError.
 */
export async function signAuditCheckpoint(now = new Date(), { batchSize }: { batchSize?: number } = {}): Promise<SignOutcome> {
  const [head] = await db().$queryRaw<{ seq: bigint; hash: string }[]>`SELECT "seq", "hash" FROM "audit_chain_head" WHERE "id" = 1`;
  if (!head || head.seq === 0n) return { signed: false, reason: "The audit chain has no events yet." };
  const { start, forged } = await newestSignedCheckpoint(db());
  if (forged) return refuse(null, head, { ...forged, problem: "checkpoint" });
  if (start && start.seq >= head.seq) return { signed: false, reason: `The head has not moved since the last checkpoint (#${head.seq}).` };
  const report = await verifyChainSegment(db(), { start, head }, { pageSize: batchSize });
  if (!report.intact) return refuse(start, head, report.findings[0]!);
  return { signed: true, checkpoint: await recordCheckpoint(db(), "head", head, now), verified: report.checked };
}

/** Records the break (unless this one already is, since the checkpoint the segment starts from) and throws. */
async function refuse(start: ChainStart | null, head: { seq: bigint }, finding: ChainFinding): Promise<never> {
  await db().$transaction(async (tx) => {
    const recorded = await tx.auditChainIncident.findFirst({
      where: { kind: checkpointRefusedIncident, chainSeq: { equals: finding.chainSeq, gte: start?.seq ?? 0n }, detail: finding.message },
      select: { id: true },
    });
    if (recorded) return;
    await tx.auditChainIncident.create({ data: { kind: checkpointRefusedIncident, chainSeq: finding.chainSeq, detail: finding.message } });
    await recordAudit(tx, {
      actor: systemActor,
      action: "audit.checkpoint_refused",
      target: { type: "audit" },
      outcome: "failure",
      reason: `The chain head #${head.seq} was not signed: the chain does not verify at #${finding.chainSeq}. ${finding.message}`,
      details: {
        chainSeq: finding.chainSeq.toString(),
        eventId: finding.eventId?.toString() ?? null,
        problem: finding.problem,
        from: start?.seq.toString() ?? null,
        head: head.seq.toString(),
      },
    });
  });
  throw new AuditChainBrokenError(finding);
}

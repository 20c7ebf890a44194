import { db } from "@/lib/db/prisma";
import { getPolicy } from "@/lib/settings/policy";
import { recordCheckpoint } from "@/lib/audit/checkpoints";
import { recordAudit, systemActor } from "@/lib/audit/record";

// Audit retention (docs/decisions/041): events older than the audit.retentionDays policy are deleted from the
// start of the chain, in bounded batches. Each batch first records a signed "pruned" checkpoint naming the last
// event it deletes and that event's hash, in the same transaction; verification starts after the newest one, so
// pruning is not reported as missing events, while a deletion anywhere else still is. The database allows the
// DELETE only for events older than the policy and covered by such an anchor (the migration's trigger).

const genesisHash = "0".repeat(64);
const dayMs = 24 * 60 * 60 * 1000;
// Two instances pruning at once would both sign anchors; the jobs scheduler runs one, this makes sure.
const pruneLock = 0x61756474; // "audt"

export interface PruneResult {
  /** Events deleted. */
  deleted: number;
  /** The last chain position deleted, or null when nothing was. */
  throughSeq: bigint | null;
  /** Events older than the cutoff were kept because the chain does not hold there (pruning would hide it). */
  stoppedAt: { seq: bigint; reason: string } | null;
  cutoff: Date;
}

interface Candidate {
  chain_seq: bigint;
  prev_hash: string;
  hash: string;
  recomputed: string;
  occurred_at: Date;
}

type Batch = { deleted: number; throughSeq: bigint | null; stoppedAt: PruneResult["stoppedAt"]; retentionDays: number; cutoff: Date };

/** Deletes one batch: the longest intact run of old events after the anchor. */
async function pruneBatch(now: Date, batchSize: number): Promise<Batch> {
  return db().$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${pruneLock}::bigint)`;
    // The policy and the clock as the database's DELETE trigger sees them (the same transaction), so no event
    // this picks is one the trigger refuses: the earlier of `now` and the database's now.
    const retentionDays = await getPolicy("audit.retentionDays", tx);
    const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT now() AS "now"`;
    const cutoff = new Date(Math.min(now.getTime(), clock!.now.getTime()) - retentionDays * dayMs);
    const anchor = await tx.auditCheckpoint.findFirst({ where: { kind: "pruned" }, orderBy: { chainSeq: "desc" }, select: { chainSeq: true, hash: true } });
    let expectedSeq = (anchor?.chainSeq ?? 0n) + 1n;
    let previousHash = anchor?.hash ?? genesisHash;
    const rows = await tx.$queryRaw<Candidate[]>`
      SELECT a."chain_seq", a."prev_hash", a."hash", "audit_event_hash"(a) AS "recomputed", a."occurred_at"
      FROM "audit_events" a WHERE a."chain_seq" >= ${expectedSeq} ORDER BY a."chain_seq" LIMIT ${batchSize}`;
    let last: Candidate | null = null;
    let stoppedAt: PruneResult["stoppedAt"] = null;
    for (const row of rows) {
      if (row.occurred_at >= cutoff) break;
      // Deleting past a break would erase the evidence of it: stop, and let verification report it.
      const problem =
        row.chain_seq !== expectedSeq ? `events before #${row.chain_seq} are missing`
        : row.recomputed !== row.hash ? `event #${row.chain_seq} no longer matches its hash`
        : row.prev_hash !== previousHash ? `event #${row.chain_seq} does not link to its predecessor`
        : null;
      if (problem) {
        stoppedAt = { seq: row.chain_seq, reason: problem };
        break;
      }
      last = row;
      expectedSeq = row.chain_seq + 1n;
      previousHash = row.hash;
    }
    if (!last) return { deleted: 0, throughSeq: null, stoppedAt, retentionDays, cutoff };
    await recordCheckpoint(tx, "pruned", { seq: last.chain_seq, hash: last.hash }, now);
    const deleted = await tx.$executeRaw`DELETE FROM "audit_events" WHERE "chain_seq" > ${anchor?.chainSeq ?? 0n} AND "chain_seq" <= ${last.chain_seq}`;
    return { deleted, throughSeq: last.chain_seq, stoppedAt, retentionDays, cutoff };
  });
}

/**
 * Deletes the audit events older than the audit.retentionDays policy, oldest first, `batchSize` per
 * transaction, for the jobs scheduler (e.g. daily). The chain is cut only at its start: an old event after a
 * younger one (a replayed spool, say) waits until the younger one is old enough too. Records what it did as
 * `audit.prune` by the system, when it deleted anything or had to stop at a break in the chain.
 */
export async function pruneAuditEvents(now = new Date(), { batchSize = 5_000 }: { batchSize?: number } = {}): Promise<PruneResult> {
  const result: PruneResult = { deleted: 0, throughSeq: null, stoppedAt: null, cutoff: now };
  let retentionDays = 0;
  for (;;) {
    const batch = await pruneBatch(now, batchSize);
    ({ stoppedAt: result.stoppedAt, cutoff: result.cutoff, retentionDays } = batch);
    if (batch.deleted === 0) break;
    result.deleted += batch.deleted;
    result.throughSeq = batch.throughSeq;
    if (batch.stoppedAt || batch.deleted < batchSize) break;
  }
  const { cutoff } = result;
  if (result.deleted > 0 || result.stoppedAt) {
    await recordAudit(db(), {
      actor: systemActor,
      action: "audit.prune",
      target: { type: "audit" },
      outcome: result.stoppedAt ? "failure" : "success",
      reason: result.stoppedAt ? `Retention stopped at #${result.stoppedAt.seq}: ${result.stoppedAt.reason}. Verify the chain; older events are kept until it holds.` : null,
      details: { deleted: result.deleted, throughSeq: result.throughSeq?.toString() ?? null, retentionDays, cutoff: cutoff.toISOString() },
    });
  }
  return result;
}

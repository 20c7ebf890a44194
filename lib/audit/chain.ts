import { db, type Tx } from "@/lib/db/prisma";

// Checks the audit hash chain (migration 20261125000000_approvals_audit_chain): each event's hash is
// recomputed by the same database function that set it, and each must name its predecessor's hash.

const genesisHash = "0".repeat(64);
const pageSize = 5_000;

export type ChainProblem = "edited" | "missing" | "relinked";

export interface BrokenLink {
  /** The chain position where the chain first fails to hold. */
  chainSeq: bigint;
  /** The event found there, if any (none when the chain's last events were deleted). */
  eventId: bigint | null;
  problem: ChainProblem;
  message: string;
}

export type ChainReport = { intact: true; checked: number } | { intact: false; checked: number; firstBroken: BrokenLink };

interface ChainRow {
  id: bigint;
  chain_seq: bigint;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

function checkRow(row: ChainRow, expectedSeq: bigint, previousHash: string): BrokenLink | null {
  if (row.chain_seq !== expectedSeq) {
    const gap = row.chain_seq - expectedSeq;
    return { chainSeq: expectedSeq, eventId: row.id, problem: "missing", message: `${gap} event(s) missing before #${row.chain_seq}: the chain skips from #${expectedSeq - 1n}.` };
  }
  if (row.recomputed !== row.hash) {
    return { chainSeq: row.chain_seq, eventId: row.id, problem: "edited", message: `Event #${row.chain_seq} was changed after it was recorded: its content no longer matches its hash.` };
  }
  if (row.prev_hash !== previousHash) {
    return { chainSeq: row.chain_seq, eventId: row.id, problem: "relinked", message: `Event #${row.chain_seq} does not link to the event before it.` };
  }
  return null;
}

/** Walks the whole chain in order; reports the first broken link, or that it is intact. */
export async function verifyAuditChain(client: Tx = db()): Promise<ChainReport> {
  let expectedSeq = 1n;
  let previousHash = genesisHash;
  let checked = 0;
  for (;;) {
    const rows = await client.$queryRaw<ChainRow[]>`
      SELECT a."id", a."chain_seq", a."prev_hash", a."hash", "audit_event_hash"(a) AS "recomputed"
      FROM "audit_events" a WHERE a."chain_seq" >= ${expectedSeq} ORDER BY a."chain_seq" LIMIT ${pageSize}`;
    for (const row of rows) {
      const broken = checkRow(row, expectedSeq, previousHash);
      if (broken) return { intact: false, checked, firstBroken: broken };
      checked++;
      expectedSeq = row.chain_seq + 1n;
      previousHash = row.hash;
    }
    if (rows.length < pageSize) break;
  }
  const head = await client.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  if (head.seq >= expectedSeq) {
    const message = `The last ${head.seq - expectedSeq + 1n} event(s) of the chain (from #${expectedSeq}) are missing.`;
    return { intact: false, checked, firstBroken: { chainSeq: expectedSeq, eventId: null, problem: "missing", message } };
  }
  return { intact: true, checked };
}

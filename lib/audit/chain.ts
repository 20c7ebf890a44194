import { db, type Tx } from "@/lib/db/prisma";
import { checkCheckpoints } from "./checkpoints";

// Checks the audit hash chain (migrations 20261125000000_approvals_audit_chain and 20261130100000_audit_durability):
// each event's hash is recomputed by the same database function that set it, each must name its
// predecessor's hash, positions must run without gaps, and the chain's head must name the last event.
// The walk goes on past a break, so the report names every place the chain was tampered with. Signed
// checkpoints (decision 041) must still match the events they vouch for, and the walk starts after the
// newest signed retention anchor: events before it were deleted by retention, not lost. verifyChainSegment
// walks only the events after the newest checkpoint, for the job that signs the next one, and stops at a break.

const genesisHash = "0".repeat(64);
const defaultPageSize = 5_000;
/** A report names at most this many findings (a rewritten table would otherwise list every row). */
const maxFindings = 100;

/**
 * edited: an event's fields no longer match its hash. relinked: an event's prev_hash is not its
 * predecessor's hash. missing: positions skipped (events deleted). head: the chain head does not name
 * the last event. head_rebuilt: the head row was found missing and rebuilt by the database. checkpoint: a
 * signed checkpoint does not hold (bad signature), or the event it vouches for is gone or has another hash.
 */
export type ChainProblem = "edited" | "relinked" | "missing" | "head" | "head_rebuilt" | "checkpoint";

export interface ChainFinding {
  /** The chain position the finding is about. */
  chainSeq: bigint;
  /** The event found there, if any (none for deleted events and for the head). */
  eventId: bigint | null;
  problem: ChainProblem;
  message: string;
}

export type ChainReport =
  | { intact: true; checked: number }
  | { intact: false; checked: number; findings: ChainFinding[]; /** More findings than listed. */ truncated: boolean };

interface ChainRow {
  id: bigint;
  chain_seq: bigint;
  prev_hash: string;
  hash: string;
  recomputed: string;
}

const range = (from: bigint, to: bigint) => (from === to ? `#${from}` : `#${from}–#${to}`);

/** What is wrong with one row, given the position and hash its predecessor leads to expect (null: unknown). */
function rowFindings(row: ChainRow, expectedSeq: bigint, previousHash: string | null): ChainFinding[] {
  const findings: ChainFinding[] = [];
  const at = { chainSeq: row.chain_seq, eventId: row.id };
  if (row.chain_seq > expectedSeq) {
    const message = `Event(s) ${range(expectedSeq, row.chain_seq - 1n)} are missing: the chain skips from #${expectedSeq - 1n} to #${row.chain_seq}.`;
    findings.push({ chainSeq: expectedSeq, eventId: null, problem: "missing", message });
  }
  if (row.recomputed !== row.hash) {
    findings.push({ ...at, problem: "edited", message: `Event #${row.chain_seq} was changed after it was recorded: its fields no longer match its hash.` });
  }
  if (previousHash !== null && row.prev_hash !== previousHash) {
    const message = `Event #${row.chain_seq} does not link to event #${row.chain_seq - 1n}: its prev_hash is not that event's hash (one of the two was rewritten).`;
    findings.push({ ...at, problem: "relinked", message });
  }
  return findings;
}

interface Walk {
  checked: number;
  findings: ChainFinding[];
  last: { seq: bigint; hash: string } | null;
}

/** Where a walk starts: a position a signed checkpoint vouches for, with that event's hash. */
export interface ChainStart {
  seq: bigint;
  hash: string;
  /**
   * true: the event is still there (a head checkpoint) and must still have that hash and match it; the walk
   * starts at it. false: retention deleted it (a pruned anchor); the walk starts after it, whose prev_hash must be it.
   */
  kept: boolean;
}

interface WalkOptions {
  /** The last position to read (the head a checkpoint is about to sign); none: to the end. */
  to?: bigint;
  /** Events read per query (keyset pages: memory stays bounded however long the walk). */
  pageSize?: number;
  /** Stop at the first event with a finding (the walk's cost is then bounded by where the chain breaks). */
  stopAtFirst?: boolean;
}

const lastPosition = 2n ** 63n - 1n;

async function walkEvents(client: Tx, start: ChainStart | null, { to = lastPosition, pageSize = defaultPageSize, stopAtFirst = false }: WalkOptions = {}): Promise<Walk> {
  const walk: Walk = { checked: 0, findings: [], last: start && !start.kept ? start : null };
  let expectedSeq = start ? (start.kept ? start.seq : start.seq + 1n) : 1n;
  // A kept start's own link points before the walk: only its hash is checked, against the checkpoint's.
  let previousHash: string | null = start ? (start.kept ? null : start.hash) : genesisHash;
  for (;;) {
    const rows = await client.$queryRaw<ChainRow[]>`
      SELECT a."id", a."chain_seq", a."prev_hash", a."hash", "audit_event_hash"(a) AS "recomputed"
      FROM "audit_events" a WHERE a."chain_seq" >= ${expectedSeq} AND a."chain_seq" <= ${to} ORDER BY a."chain_seq" LIMIT ${pageSize}`;
    for (const row of rows) {
      // After a gap the predecessor is gone: its link cannot be checked, only reported missing.
      const found = rowFindings(row, expectedSeq, row.chain_seq === expectedSeq ? previousHash : null);
      if (start?.kept && row.chain_seq === start.seq && row.hash !== start.hash) found.push(checkpointHashFinding(row));
      if (walk.findings.length <= maxFindings) walk.findings.push(...found);
      walk.checked++;
      expectedSeq = row.chain_seq + 1n;
      previousHash = row.hash;
      walk.last = { seq: row.chain_seq, hash: row.hash };
      if (stopAtFirst && walk.findings.length > 0) return walk;
    }
    if (rows.length < pageSize) return walk;
  }
}

function checkpointHashFinding(row: ChainRow): ChainFinding {
  const message = `Event #${row.chain_seq} no longer has the hash its checkpoint signed: the chain up to it was rewritten after it was signed.`;
  return { chainSeq: row.chain_seq, eventId: row.id, problem: "checkpoint", message };
}

type HeadRow = { seq: bigint; hash: string } | null;

function headFindings(head: HeadRow, last: Walk["last"]): ChainFinding[] {
  const lastSeq = last?.seq ?? 0n;
  const lastHash = last?.hash ?? genesisHash;
  const at = { chainSeq: lastSeq, eventId: null, problem: "head" as const };
  if (!head) return [{ ...at, message: "The chain head row is missing: the next audit event will rebuild it from the last event." }];
  if (head.seq > lastSeq) {
    return [{ chainSeq: lastSeq + 1n, eventId: null, problem: "missing", message: `The last event(s) of the chain, ${range(lastSeq + 1n, head.seq)}, are missing: the chain head records #${head.seq}.` }];
  }
  if (head.seq < lastSeq) return [{ ...at, message: `The chain head records #${head.seq}, but the events run to #${lastSeq}: the head was moved back.` }];
  if (head.hash !== lastHash) return [{ ...at, message: `The chain head's hash is not the hash of the last event, #${lastSeq}: the head or that event's hash was rewritten.` }];
  return [];
}

const readHead = (client: Tx) => client.auditChainHead.findUnique({ where: { id: 1 } });

// Events written while the walk ran may lie past the head read before it: they are checked against the head as
// it is now, and a head that has meanwhile gone past the walk's end is the chain moving on, not events missing.
async function headFindingsAfter(client: Tx, before: HeadRow, last: Walk["last"]): Promise<ChainFinding[]> {
  const ended = last?.seq ?? 0n;
  if (!before || ended <= before.seq) return headFindings(before, last);
  const now = await readHead(client);
  return now && now.seq > ended ? [] : headFindings(now, last);
}

async function incidentFindings(client: Tx): Promise<ChainFinding[]> {
  // Only a rebuilt head hides anything by itself; a break found before signing (head-checkpoint.ts) is
  // recorded as an incident too, but the walk still reports it for as long as it is there.
  const incidents = await client.auditChainIncident.findMany({ where: { kind: "head_missing" }, orderBy: { id: "asc" }, take: maxFindings });
  return incidents.map((incident) => ({
    chainSeq: incident.chainSeq,
    eventId: null,
    problem: "head_rebuilt" as const,
    message: `${incident.detail} (${incident.occurredAt.toISOString()}): events after #${incident.chainSeq} deleted together with the head could not be detected.`,
  }));
}

/** Walks the whole chain in order; reports every place it does not hold (up to maxFindings), or that it is intact. */
export async function verifyAuditChain(client: Tx = db()): Promise<ChainReport> {
  const checkpoints = await checkCheckpoints(client, maxFindings);
  // Read before the walk: every event up to it was committed with it, so the walk must find them all.
  const head = await readHead(client);
  const walk = await walkEvents(client, checkpoints.anchor && { ...checkpoints.anchor, kept: false });
  const findings = [
    ...walk.findings,
    ...(await headFindingsAfter(client, head, walk.last)),
    ...(await incidentFindings(client)),
    ...checkpoints.findings.map((finding) => ({ ...finding, problem: "checkpoint" as const })),
  ];
  if (findings.length === 0) return { intact: true, checked: walk.checked };
  return { intact: false, checked: walk.checked, findings: findings.slice(0, maxFindings), truncated: findings.length > maxFindings };
}

/**
 * Verifies the part of the chain after a signed position, up to a head read before (the one about to be signed):
 * the checkpoint's event still has its signed hash (or, for a pruned anchor, the next event links to it), every
 * event recomputes to its hash and links to its predecessor, no position is skipped, and the last event is the
 * head. One keyset pass of `pageSize` events per query; stops at the first break, which is findings[0].
 */
export async function verifyChainSegment(
  client: Tx,
  segment: { start: ChainStart | null; head: { seq: bigint; hash: string } },
  { pageSize = defaultPageSize }: { pageSize?: number } = {},
): Promise<ChainReport> {
  const walk = await walkEvents(client, segment.start, { to: segment.head.seq, pageSize, stopAtFirst: true });
  const findings = walk.findings.length > 0 ? walk.findings : headFindings(segment.head, walk.last);
  if (findings.length === 0) return { intact: true, checked: walk.checked };
  return { intact: false, checked: walk.checked, findings, truncated: false };
}

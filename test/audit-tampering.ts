import type { AuditAction } from "@/lib/audit/actions";
import { type ChainReport, verifyAuditChain } from "@/lib/audit/chain";
import { db, type Tx } from "@/lib/db/prisma";

// For the audit chain's tamper tests: an event to record, tampering as the database's owner would (the
// append-only triggers bypassed) either rolled back after a verification or committed for the app to find,
// the owner's usual rewrite, and a backup of some events to restore them from (an operator's repair).

export const chainEvent = (action: string) => ({
  actor: { id: "u1", label: "ada@example.com" },
  action: action as AuditAction,
  target: { type: "x", id: "t1" },
  outcome: "success" as const,
  correlationId: `c-${action}`,
});

class Rollback extends Error {}

export async function reportAfterTampering(tamper: (tx: Tx) => Promise<unknown>): Promise<ChainReport> {
  let report: ChainReport | undefined;
  await db()
    .$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tamper(tx);
      report = await verifyAuditChain(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return report!;
}

/** Tampers as the owner and commits, for code that reads the chain in its own transactions. */
export async function tamperAsOwner(tamper: (tx: Tx) => Promise<unknown>): Promise<void> {
  await db().$transaction(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    await tamper(tx);
  });
}

/**
 * What an owner who wants an edit unseen does: change event #seq, then re-hash it and every later event
 * (through `to`, the last by default) and the head (by default only when re-hashing through the last event).
 */
export const rewriteAndRehash =
  (seq: bigint, { to, head = to === undefined }: { to?: bigint; head?: boolean } = {}) =>
  async (tx: Tx) => {
    await tx.$executeRaw`UPDATE audit_events SET reason = 'nothing to see' WHERE chain_seq = ${seq}`;
    await tx.$executeRawUnsafe(`
      DO $$
      DECLARE e audit_events; previous TEXT;
      BEGIN
        SELECT hash INTO previous FROM audit_events WHERE chain_seq = ${seq - 1n};
        FOR e IN SELECT * FROM audit_events WHERE chain_seq >= ${seq} ${to === undefined ? "" : `AND chain_seq <= ${to}`} ORDER BY chain_seq LOOP
          e.prev_hash := previous;
          e.hash := audit_event_hash(e);
          UPDATE audit_events SET prev_hash = e.prev_hash, hash = e.hash WHERE id = e.id;
          previous := e.hash;
        END LOOP;
        ${head ? "UPDATE audit_chain_head SET hash = previous WHERE id = 1;" : ""}
      END $$`);
  };

/** Copies events #from–#to and the head as they are now; the function returned puts them back as the owner. */
export async function backupEvents(from: bigint, to: bigint): Promise<() => Promise<void>> {
  const [backup] = await db().$queryRaw<{ rows: unknown }[]>`
    SELECT json_agg(a) AS "rows" FROM audit_events a WHERE chain_seq BETWEEN ${from} AND ${to}`;
  const head = await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  return () =>
    tamperAsOwner(async (tx) => {
      await tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq BETWEEN ${from} AND ${to}`;
      await tx.$executeRaw`INSERT INTO audit_events SELECT * FROM json_populate_recordset(NULL::audit_events, ${JSON.stringify(backup!.rows)}::json)`;
      await tx.$executeRaw`UPDATE audit_chain_head SET hash = ${head.hash} WHERE id = 1 AND seq = ${head.seq}`;
    });
}

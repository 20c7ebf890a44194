import type { AuditAction } from "@/lib/audit/actions";
import { type ChainReport, verifyAuditChain } from "@/lib/audit/chain";
import { db, type Tx } from "@/lib/db/prisma";

// For the audit chain's tamper tests: an event to record, and a verification after tampering as the
// database's owner would (the append-only triggers bypassed), all rolled back afterwards.

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

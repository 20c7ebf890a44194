import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { type ChainReport, verifyAuditChain } from "./chain";
import { personActor, recordAudit } from "./record";

/** What a person reads about a chain check. */
export function chainReportMessage(report: ChainReport): string {
  if (report.intact) return `Chain intact: ${report.checked} events checked.`;
  return `Chain broken at #${report.firstBroken.chainSeq}: ${report.firstBroken.message}`;
}

/**
 * Checks the audit hash chain on a person's request and records that they did, with the result: a
 * broken chain is recorded as a failure, so the finding itself stays on the record.
 */
export async function verifyAuditChainAs(actor: Actor): Promise<ChainReport> {
  await guard(actor, "audit.verify", { type: "audit" });
  const report = await verifyAuditChain();
  const details = report.intact
    ? { intact: true, checked: report.checked }
    : {
        intact: false,
        checked: report.checked,
        chainSeq: report.firstBroken.chainSeq.toString(),
        eventId: report.firstBroken.eventId?.toString() ?? null,
        problem: report.firstBroken.problem,
      };
  await recordAudit(db(), {
    actor: personActor(actor),
    action: "audit.verify_chain",
    target: { type: "audit" },
    outcome: report.intact ? "success" : "failure",
    reason: report.intact ? null : report.firstBroken.message,
    details,
  });
  return report;
}

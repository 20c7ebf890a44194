import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { type ChainReport, verifyAuditChain } from "@/lib/audit/chain";
import { personActor, recordAudit } from "@/lib/audit/record";

/** The findings named in the message and in the audit event that records the check. */
const findingsShown = 20;

/** What a person reads about a chain check: every place the chain does not hold, by position and kind. */
export function chainReportMessage(report: ChainReport): string {
  if (report.intact) return `Chain intact: ${report.checked} events checked.`;
  const { findings } = report;
  const more = findings.length - findingsShown + (report.truncated ? 1 : 0);
  const listed = findings.slice(0, findingsShown).map((finding) => `${finding.message}`);
  const count = `${findings.length}${report.truncated ? "+" : ""} problem${findings.length === 1 ? "" : "s"}`;
  return `Chain broken (${count}, ${report.checked} events checked): ${listed.join(" ")}${more > 0 ? ` …and ${more} more.` : ""}`;
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
        truncated: report.truncated,
        findings: report.findings.slice(0, findingsShown).map((finding) => ({
          chainSeq: finding.chainSeq.toString(),
          eventId: finding.eventId?.toString() ?? null,
          problem: finding.problem,
        })),
      };
  await recordAudit(db(), {
    actor: personActor(actor),
    action: "audit.verify_chain",
    target: { type: "audit" },
    outcome: report.intact ? "success" : "failure",
    reason: report.intact ? null : chainReportMessage(report),
    details,
  });
  return report;
}

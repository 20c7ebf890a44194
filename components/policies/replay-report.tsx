import Link from "next/link";
import type { Decision } from "@/lib/policy/engine";
import type { DecisionChange, ReplayReport } from "@/lib/policy/replay";
import { Badge, type Tone } from "../ui/badges";
import { Cell, Table } from "../ui/table";

const changeOrder: readonly DecisionChange[] = ["allowToDeny", "approvalToDeny", "allowToApproval", "denyToApproval", "approvalToAllow", "denyToAllow"];
const changeLabels: Record<DecisionChange, string> = {
  allowToDeny: "allow → deny",
  approvalToDeny: "approval → deny",
  allowToApproval: "allow → approval",
  denyToApproval: "deny → approval",
  approvalToAllow: "approval → allow",
  denyToAllow: "deny → allow",
};
const decisionTones: Record<Decision, Tone> = { allow: "good", approval: "warn", deny: "bad" };

const calls = (count: number) => `${count} call${count === 1 ? "" : "s"}`;

/** What the candidate would have decided differently from the baseline for the audited calls of the window. */
export function ReplayReportView({ report }: { report: ReplayReport }) {
  const changed = report.calls - report.unchanged - report.skipped;
  return (
    <div className="space-y-4 text-sm">
      <p>
        Of {calls(report.calls)}, set {report.candidate.number} decides <strong>{calls(changed)}</strong> differently from set {report.baseline.number}; {report.unchanged} unchanged
        {report.skipped > 0 && `, ${report.skipped} skipped (their agent or tool version is no longer known)`}.
      </p>
      {report.argumentsUnknown && (
        <p role="note" className="rounded border border-amber-300 bg-amber-50 p-3 text-amber-900">
          This set reads the calls&apos; arguments (or the client&apos;s address), which the audit trail does not keep: its policies were decided as if none were given, so
          calls may change differently in use.
        </p>
      )}
      <ul aria-label="Changes by decision" className="flex flex-wrap gap-2">
        {changeOrder.map((change) => (
          <li key={change} className="rounded border border-slate-200 bg-white px-3 py-1">
            {changeLabels[change]}: <strong>{report.changes[change]}</strong>
          </li>
        ))}
      </ul>
      {report.groups.length > 0 && (
        <Table label="Changed calls by agent and tool" headings={["Agent", "Server / tool", "Change", "Calls", "Examples"]}>
          {report.groups.map((group) => (
            <tr key={`${group.agentId} ${group.serverName} ${group.tool} ${group.from} ${group.to}`} className="border-b border-slate-100 align-top">
              <Cell>{group.agentName}</Cell>
              <Cell className="break-all font-mono text-xs">
                {group.serverName} · {group.tool}
              </Cell>
              <Cell className="whitespace-nowrap">
                <Badge tone={decisionTones[group.from]}>{group.from}</Badge> → <Badge tone={decisionTones[group.to]}>{group.to}</Badge>
              </Cell>
              <Cell>{group.count}</Cell>
              <Cell className="whitespace-nowrap">
                {group.examples.map((id, index) => (
                  // The name starts with the visible number (axe: label-content-name-mismatch) and says what it opens.
                  <Link key={id} href={`/audit?event=${id}`} className="mr-2 text-indigo-700 underline">
                    {index + 1}
                    <span className="sr-only">: audit event {id}</span>
                  </Link>
                ))}
              </Cell>
            </tr>
          ))}
        </Table>
      )}
    </div>
  );
}

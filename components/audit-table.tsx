import { Table } from "./table";

interface AuditRow {
  id: bigint;
  occurredAt: Date;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: string;
  reason: string | null;
  correlationId: string;
}

const outcomeTone: Record<string, string> = {
  success: "text-emerald-700",
  denied: "text-amber-700",
  failure: "text-red-700",
};

export function AuditTable({ events }: { events: AuditRow[] }) {
  if (events.length === 0) return <p className="text-slate-600">No audit events yet.</p>;
  return (
    <Table headings={["Time", "Actor", "Action", "Target", "Outcome", "Reason", "Correlation id"]}>
      {events.map((e) => (
        <tr key={e.id.toString()} className="border-b border-slate-100 align-top">
          <td className="whitespace-nowrap px-3 py-2">{e.occurredAt.toISOString().replace("T", " ").slice(0, 19)}</td>
          <td className="px-3 py-2">{e.actorLabel}</td>
          <td className="px-3 py-2 font-mono">{e.action}</td>
          <td className="px-3 py-2">
            {e.targetType}
            {e.targetId && <span className="block font-mono text-xs text-slate-500">{e.targetId}</span>}
          </td>
          <td className={`px-3 py-2 ${outcomeTone[e.outcome] ?? ""}`}>{e.outcome}</td>
          <td className="px-3 py-2">{e.reason}</td>
          <td className="px-3 py-2 font-mono text-xs text-slate-500">{e.correlationId}</td>
        </tr>
      ))}
    </Table>
  );
}

import { Fragment, type ReactNode } from "react";
import { Cell, Table } from "@/components/ui/table";
import type { Prisma } from "@/lib/generated/prisma/client";
import { utcToTheSecond } from "@/lib/text/utc-time";

interface AuditRow {
  id: bigint;
  chainSeq: bigint;
  occurredAt: Date;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  outcome: string;
  reason: string | null;
  correlationId: string;
  details: JsonValue | null;
}

type JsonValue = Prisma.JsonValue;

const outcomeTone: Record<string, string> = {
  success: "text-emerald-700",
  denied: "text-amber-700",
  failure: "text-red-700",
};

const maxSummary = 160;

function scalar(value: JsonValue): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/**
 * A line of the event's details a reader can scan: for gateway calls the tool, its version, the
 * decision and how long it took; otherwise the details' fields, cut short. The export has them whole.
 */
function detailSummary(details: JsonValue | null): string {
  if (details === null || typeof details !== "object" || Array.isArray(details)) return details === null ? "" : scalar(details);
  const { tool, version, decision, latencyMs, ...rest } = details;
  const parts: string[] = [];
  if (typeof tool === "string") parts.push(typeof version === "string" ? `${tool}@${version}` : tool);
  if (typeof decision === "string") parts.push(decision);
  if (typeof latencyMs === "number") parts.push(`${Math.round(latencyMs)} ms`);
  // Gateway events also carry the server's name (shown with the target) and an arguments hash (noise here).
  const shown = parts.length ? Object.entries(rest).filter(([key]) => key !== "serverName" && key !== "argumentsHash") : Object.entries(details);
  for (const [key, value] of shown) if (value !== null && value !== undefined) parts.push(`${key}=${scalar(value)}`);
  const summary = parts.join(" · ");
  return summary.length > maxSummary ? `${summary.slice(0, maxSummary - 1)}…` : summary;
}

function serverName(details: JsonValue | null): string | null {
  const name = details !== null && typeof details === "object" && !Array.isArray(details) ? details.serverName : undefined;
  return typeof name === "string" ? name : null;
}

interface Column {
  heading: string;
  /** Empty for this event: a column empty on every row shown is left out. */
  empty?: (event: AuditRow) => boolean;
  cell: (event: AuditRow) => ReactNode;
}

// Every column but Details stays narrow: one line each (a target id cut short, whole in its title and the export),
// the reason wrapping in a column of its own; Details takes the rest of the width.
const columns: Column[] = [
  { heading: "#", cell: (e) => <Cell className="font-mono text-xs text-slate-500">{e.chainSeq.toString()}</Cell> },
  { heading: "Time (UTC)", cell: (e) => <Cell className="whitespace-nowrap">{utcToTheSecond(e.occurredAt)}</Cell> },
  { heading: "Actor", cell: (e) => <Cell className="whitespace-nowrap">{e.actorLabel}</Cell> },
  { heading: "Action", cell: (e) => <Cell className="whitespace-nowrap font-mono text-xs">{e.action}</Cell> },
  {
    heading: "Target",
    cell: (e) => (
      <Cell className="whitespace-nowrap">
        {e.targetType}
        {e.targetId && (
          <span className="block max-w-40 truncate font-mono text-xs text-slate-500" title={e.targetId}>
            {serverName(e.details) ?? e.targetId}
          </span>
        )}
      </Cell>
    ),
  },
  { heading: "Outcome", cell: (e) => <Cell className={`whitespace-nowrap ${outcomeTone[e.outcome] ?? ""}`}>{e.outcome}</Cell> },
  { heading: "Reason", empty: (e) => !e.reason, cell: (e) => <Cell className="min-w-32 wrap-anywhere">{e.reason}</Cell> },
  {
    heading: "Details",
    cell: (e) => (
      <Cell className="w-full min-w-48 text-xs wrap-anywhere">
        <span className="block">{detailSummary(e.details)}</span>
        <span className="block font-mono text-slate-500" title="Correlation id">
          {e.correlationId}
        </span>
      </Cell>
    ),
  },
];

export function AuditTable({ events }: { events: AuditRow[] }) {
  if (events.length === 0) return <p className="text-slate-600">No audit events yet.</p>;
  const shown = columns.filter((column) => !column.empty || !events.every(column.empty));
  return (
    <Table label="Audit events" headings={shown.map((column) => column.heading)}>
      {events.map((e) => (
        <tr key={e.id.toString()} data-testid="audit-row" className="border-b border-slate-100 align-top">
          {shown.map((column) => (
            <Fragment key={column.heading}>{column.cell(e)}</Fragment>
          ))}
        </tr>
      ))}
    </Table>
  );
}

"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { type Decision, decisionSeries } from "./format";

/** `name` is the axis label (lib/dashboard/labels.ts keeps it short enough), `full` the whole name for the tooltip. */
export type RankedRow = { name: string; full: string } & Partial<Record<Decision, number>>;

const axisWidth = 220;

const wholeName = (label: unknown, payload: readonly { payload?: { full?: string } }[]) => payload[0]?.payload?.full ?? String(label);

interface TickProps {
  x?: number | string;
  y?: number | string;
  className?: string;
  payload?: { value: string };
}

/** One line, right-aligned against the bars, never wrapped; hovering shows the whole name. */
function NameTick({ x = 0, y = 0, className, payload, fullNames }: TickProps & { fullNames: Map<string, string> }) {
  const label = payload?.value ?? "";
  return (
    <g>
      <title>{fullNames.get(label) ?? label}</title>
      <text x={x} y={y} dy={4} textAnchor="end" fontSize={11} fill="#475569" className={className}>
        {label}
      </text>
    </g>
  );
}

/** Horizontal bars, largest first, stacked by the decisions given. */
export function RankedBarsChart({ rows, decisions }: { rows: RankedRow[]; decisions: Decision[] }) {
  const shown = decisionSeries.filter((series) => decisions.includes(series.key));
  const fullNames = new Map(rows.map((row) => [row.name, row.full]));
  return (
    <BarChart responsive layout="vertical" data={rows} style={{ width: "100%", height: "100%" }} margin={{ top: 4, right: 8, bottom: 0, left: 4 }}>
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
      <YAxis type="category" dataKey="name" width={axisWidth} interval={0} tick={(props: TickProps) => <NameTick {...props} fullNames={fullNames} />} />
      <Tooltip labelFormatter={wholeName} />
      {shown.length > 1 && <Legend itemSorter={null} />}
      {shown.map((series) => (
        <Bar key={series.key} dataKey={series.key} name={series.label} stackId="calls" fill={series.color} maxBarSize={24} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { type Decision, decisionSeries } from "./format";

export type RankedRow = { name: string } & Partial<Record<Decision, number>>;

const labelLength = 28;
// Long names (refusal reasons, server names) are cut on the axis; the tooltip shows them whole.
const shorten = (name: string) => (name.length > labelLength ? `${name.slice(0, labelLength - 1)}…` : name);

/** Horizontal bars, largest first, stacked by the decisions given. */
export function RankedBarsChart({ rows, decisions }: { rows: RankedRow[]; decisions: Decision[] }) {
  const shown = decisionSeries.filter((series) => decisions.includes(series.key));
  return (
    <BarChart responsive layout="vertical" data={rows} style={{ width: "100%", height: "100%" }} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
      <YAxis type="category" dataKey="name" width={180} tickFormatter={shorten} tick={{ fontSize: 12 }} />
      <Tooltip />
      {shown.length > 1 && <Legend itemSorter={null} />}
      {shown.map((series) => (
        <Bar key={series.key} dataKey={series.key} name={series.label} stackId="calls" fill={series.color} maxBarSize={24} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

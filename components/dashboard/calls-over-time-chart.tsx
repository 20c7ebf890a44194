"use client";

import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { decisionSeries, formatBucket } from "./format";

export interface CallsPoint {
  /** The bucket's start, in milliseconds since the epoch. */
  start: number;
  allowed: number;
  refused: number;
  failed: number;
}

/** Calls per bucket, stacked by decision. */
export function CallsOverTimeChart({ points, withDate }: { points: CallsPoint[]; withDate: boolean }) {
  return (
    <BarChart responsive data={points} style={{ width: "100%", height: "100%" }} margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
      <CartesianGrid strokeDasharray="3 3" vertical={false} />
      <XAxis dataKey="start" tickFormatter={(start: number) => formatBucket(start, withDate)} minTickGap={12} tick={{ fontSize: 12 }} />
      <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
      <Tooltip labelFormatter={(start) => `From ${formatBucket(Number(start), true)} UTC`} />
      <Legend itemSorter={null} />
      {decisionSeries.map((series) => (
        <Bar key={series.key} dataKey={series.key} name={series.label} stackId="calls" fill={series.color} isAnimationActive={false} />
      ))}
    </BarChart>
  );
}

"use client";

import { useLayoutEffect, useRef, useState } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";
import { type Decision, decisionSeries } from "./format";

/** `name` is the axis label (lib/dashboard/labels.ts keeps it short enough), `full` the whole name for the tooltip. */
export type RankedRow = { name: string; full: string } & Partial<Record<Decision, number>>;

// The label axis takes up to 220 px, but at most about half a narrow chart (a phone), so the bars keep room.
const widestAxis = 220;
const axisShare = 0.55;

/** The width of the box the chart fills, once the browser has laid it out. */
function useBoxWidth() {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState<number | null>(null);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => setWidth(entry!.contentRect.width));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { box, width };
}

const wholeName = (label: unknown, payload: readonly { payload?: { full?: string } }[]) => payload[0]?.payload?.full ?? String(label);

interface TickProps {
  x?: number | string;
  y?: number | string;
  className?: string;
  payload?: { value: string };
}

const chartMargin = 4;

/**
 * One line, right-aligned against the bars, never wrapped; hovering shows the whole name. A label wider
 * than the axis in the browser's font is squeezed to fit rather than cut at the chart's edge.
 */
function NameTick({ x = 0, y = 0, className, payload, fullNames }: TickProps & { fullNames: Map<string, string> }) {
  const label = payload?.value ?? "";
  const text = useRef<SVGTextElement>(null);
  const [fitted, setFitted] = useState<number | undefined>(undefined);
  useLayoutEffect(() => {
    const element = text.current;
    if (!element) return;
    // Measured without a squeeze from an earlier width, then squeezed again if it still does not fit.
    element.removeAttribute("textLength");
    element.removeAttribute("lengthAdjust");
    const room = Number(x) - chartMargin;
    const fit = element.getComputedTextLength() > room && room > 0 ? room : undefined;
    if (fit !== undefined) {
      element.setAttribute("textLength", String(fit));
      element.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
    setFitted(fit);
  }, [label, x]);
  return (
    <g>
      <title>{fullNames.get(label) ?? label}</title>
      <text
        ref={text}
        x={x}
        y={y}
        dy={4}
        textAnchor="end"
        fontSize={11}
        fill="#475569"
        className={className}
        textLength={fitted}
        lengthAdjust={fitted ? "spacingAndGlyphs" : undefined}
      >
        {label}
      </text>
    </g>
  );
}

/** Horizontal bars, largest first, stacked by the decisions given. */
export function RankedBarsChart({ rows, decisions }: { rows: RankedRow[]; decisions: Decision[] }) {
  const shown = decisionSeries.filter((series) => decisions.includes(series.key));
  const fullNames = new Map(rows.map((row) => [row.name, row.full]));
  const { box, width } = useBoxWidth();
  const axisWidth = Math.round(Math.min(widestAxis, (width ?? Infinity) * axisShare));
  return (
    <div ref={box} className="h-full w-full">
      <BarChart responsive layout="vertical" data={rows} style={{ width: "100%", height: "100%" }} margin={{ top: 4, right: 8, bottom: 0, left: chartMargin }}>
      <CartesianGrid strokeDasharray="3 3" horizontal={false} />
      <XAxis type="number" allowDecimals={false} tick={{ fontSize: 12 }} />
      <YAxis type="category" dataKey="name" width={axisWidth} interval={0} tick={(props: TickProps) => <NameTick {...props} fullNames={fullNames} />} />
      <Tooltip labelFormatter={wholeName} />
      {shown.length > 1 && <Legend itemSorter={null} />}
      {shown.map((series) => (
        <Bar key={series.key} dataKey={series.key} name={series.label} stackId="calls" fill={series.color} maxBarSize={24} isAnimationActive={false} />
      ))}
      </BarChart>
    </div>
  );
}

import { z } from "zod";

export const dashboardRanges = ["hour", "day", "week"] as const;
export type DashboardRange = (typeof dashboardRanges)[number];

const minute = 60_000;
const hour = 60 * minute;

/**
 * How far back each range looks and how wide its chart buckets are (`bucket` is a PostgreSQL interval):
 * 12 to 28 points per chart, enough to see a trend without one bar per call.
 */
export const rangeSpecs: Record<DashboardRange, { label: string; durationMs: number; bucket: string; bucketLabel: string }> = {
  hour: { label: "Last hour", durationMs: hour, bucket: "5 minutes", bucketLabel: "5-minute" },
  day: { label: "Last day", durationMs: 24 * hour, bucket: "1 hour", bucketLabel: "hourly" },
  week: { label: "Last week", durationMs: 7 * 24 * hour, bucket: "6 hours", bucketLabel: "6-hour" },
};

const defaultRange: DashboardRange = "day";

const rangeParam = z.enum(dashboardRanges);

export interface RangeChoice {
  range: DashboardRange;
  /** Set when the address asked for a range that does not exist, so the page can say what it shows instead. */
  note?: string;
}

/** Reads `?range=`; a missing value means the default, an unknown one falls back to it with a note. */
export function parseRange(param: string | string[] | undefined): RangeChoice {
  if (param === undefined) return { range: defaultRange };
  const parsed = rangeParam.safeParse(param);
  if (parsed.success) return { range: parsed.data };
  const asked = Array.isArray(param) ? param.join(", ") : param;
  return {
    range: defaultRange,
    note: `There is no range "${asked.slice(0, 40)}"; showing the ${rangeSpecs[defaultRange].label.toLowerCase()}. Choose hour, day or week.`,
  };
}

/** The window a range covers, ending now. */
export function rangeWindow(range: DashboardRange, now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - rangeSpecs[range].durationMs), to: now };
}

// Presentation of dashboard numbers and times; times are UTC, like the rest of the app, so the server
// and the browser render the same text.

export type Decision = "allowed" | "refused" | "failed";

export const decisionSeries: { key: Decision; label: string; color: string }[] = [
  { key: "allowed", label: "Allowed", color: "#059669" },
  { key: "refused", label: "Refused", color: "#d97706" },
  { key: "failed", label: "Failed", color: "#dc2626" },
];

const count = new Intl.NumberFormat("en-US");

export const formatCount = (value: number) => count.format(value);

export const formatPercent = (ratio: number | null) => (ratio === null ? "—" : `${(ratio * 100).toFixed(ratio === 0 || ratio === 1 ? 0 : 1)}%`);

export function formatLatency(ms: number | null): string {
  if (ms === null) return "—";
  if (ms >= 1000) return `${(ms / 1000).toFixed(ms >= 10_000 ? 0 : 1)} s`;
  return `${ms >= 10 ? Math.round(ms) : ms.toFixed(1)} ms`;
}

const clock = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit" });
const dayAndClock = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });

/** A bucket's start: the time of day for hour and day ranges, with the date for a week. */
export const formatBucket = (time: number, withDate: boolean) => (withDate ? dayAndClock : clock).format(time);

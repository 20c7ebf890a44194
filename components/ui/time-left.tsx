"use client";

import { useNow } from "./use-now";

/** A positive duration as people read it: "1 min 40 s", "8 s". */
export function durationText(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes > 0 ? `${minutes} min ${seconds} s` : `${seconds} s`;
}

function describe(ms: number): string {
  return ms <= 0 ? "expired" : `${durationText(ms)} left`;
}

/** A countdown to `until` (ISO), ticking every second. */
export function TimeLeft({ until }: { until: string }) {
  const end = new Date(until).getTime();
  // The server renders a static first value; the countdown starts once the page is live.
  const now = useNow(null);
  return <time dateTime={until}>{now === null ? `until ${until.slice(11, 19)} UTC` : describe(end - now)}</time>;
}

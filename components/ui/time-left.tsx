"use client";

import { useEffect, useState } from "react";

function describe(ms: number): string {
  if (ms <= 0) return "expired";
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return minutes > 0 ? `${minutes} min ${seconds} s left` : `${seconds} s left`;
}

/** A countdown to `until` (ISO), ticking every second. */
export function TimeLeft({ until }: { until: string }) {
  const end = new Date(until).getTime();
  // The server renders a static first value; the countdown starts once the page is live.
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  return <time dateTime={until}>{now === null ? `until ${until.slice(11, 19)} UTC` : describe(end - now)}</time>;
}

"use client";

import { useEffect, useState } from "react";

/**
 * The time in ms, ticking every second once the page is live. Before the first tick it is `initial`:
 * the server's render has no live clock, so a countdown hydrates as the server rendered it.
 */
export function useNow<T extends number | null>(initial: T): number | T {
  const [now, setNow] = useState<number | T>(initial);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 1_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  return now;
}

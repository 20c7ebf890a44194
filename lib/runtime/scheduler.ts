import { retireSunsetVersions } from "@/lib/certification/promotion";

const everyMinute = 60_000;

// Retirement is idempotent and guarded per version, so several app instances may run it at once.
export function startScheduler(): void {
  const tick = () =>
    retireSunsetVersions().catch((error: unknown) => console.error("[toolgate] retiring sunset versions failed:", error));
  void tick();
  setInterval(tick, everyMinute).unref();
}

import { retireSunsetVersions } from "@/lib/certification/promotion";
import { installAuditShutdownHooks, replayAuditSpool } from "@/lib/gateway/audit-queue";
import { backendPool } from "@/lib/gateway/backends";
import { startDriftSchedule } from "@/lib/gateway/drift";
import { startResolutionInvalidation } from "@/lib/gateway/invalidation";

const everyMinute = 60_000;
const driftCheckMs = 5 * everyMinute;
const logFailure = (what: string) => (error: unknown) => console.error(`[toolgate] ${what} failed:`, error);

// Retirement is idempotent and guarded per version, so several app instances may run it at once.
function scheduleRetirement(): void {
  const tick = () => retireSunsetVersions().catch(logFailure("retiring sunset versions"));
  void tick();
  setInterval(tick, everyMinute).unref();
}

/** What the app process does besides answering requests. */
export async function startBackgroundDuties(): Promise<void> {
  installAuditShutdownHooks();
  await replayAuditSpool().catch(logFailure("replaying the audit spool"));
  await startResolutionInvalidation();
  scheduleRetirement();
  // Besides session opens and list_changed notifications, every pooled backend is re-checked on a schedule.
  startDriftSchedule(driftCheckMs, () => backendPool().backends());
}

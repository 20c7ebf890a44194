import { retireSunsetVersions } from "@/lib/certification/promotion";
import { installAuditShutdownHooks, replayAuditSpool } from "@/lib/gateway/audit-queue";
import { backendPool } from "@/lib/gateway/backends";
import { listenForApprovalDecisions } from "@/lib/gateway/approval-wakeups";
import { startDriftSchedule } from "@/lib/gateway/drift";
import { startResolutionInvalidation } from "@/lib/gateway/invalidation";
import { refreshOutboundPolicy } from "@/lib/settings/outbound";
import { expireAndEscalateApprovals } from "@/lib/tool-approvals/maintenance";
import { wireGateway } from "./gateway-wiring";

const everyMinute = 60_000;
const driftCheckMs = 5 * everyMinute;
const logFailure = (what: string) => (error: unknown) => console.error(`[toolgate] ${what} failed:`, error);

// Both duties are idempotent and guarded row by row, so several app instances may run them at once.
function every(ms: number, what: string, duty: () => Promise<unknown>): void {
  const tick = () => duty().catch(logFailure(what));
  void tick();
  setInterval(tick, ms).unref();
}

/** What the app process does besides answering requests. */
export async function startBackgroundDuties(): Promise<void> {
  wireGateway();
  installAuditShutdownHooks();
  await replayAuditSpool().catch(logFailure("replaying the audit spool"));
  // Both channels on the process's one LISTEN connection: decisions wake waiting calls, changes drop cached resolutions.
  listenForApprovalDecisions();
  await startResolutionInvalidation();
  // The rule an administrator set, before the first call goes out; later changes arrive with the notifications.
  await refreshOutboundPolicy().catch(logFailure("reading the outbound rule"));
  every(everyMinute, "retiring sunset versions", retireSunsetVersions);
  every(everyMinute / 2, "expiring and escalating tool-call approvals", () => expireAndEscalateApprovals());
  // Besides session opens and list_changed notifications, every pooled backend is re-checked on a schedule.
  startDriftSchedule(driftCheckMs, () => backendPool().backends());
}

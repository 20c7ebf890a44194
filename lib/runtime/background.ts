import { installAuditShutdownHooks, replayAuditSpool } from "@/lib/gateway/audit-queue";
import { listenForApprovalDecisions } from "@/lib/gateway/approval-wakeups";
import { startResolutionInvalidation } from "@/lib/gateway/invalidation";
import { refreshOutboundPolicy } from "@/lib/settings/outbound";
import { wireGateway } from "./gateway-wiring";
import { singleton } from "./singleton";
import { env } from "@/lib/config/env";
import { instanceId } from "@/lib/config/instance";
import { JobScheduler } from "./jobs";
import { periodicJobs } from "./periodic-jobs";

const state = singleton<{ scheduler?: JobScheduler }>("backgroundDuties", () => ({}));
const logFailure = (what: string) => (error: unknown) => console.error(`[toolgate] ${what} failed:`, error);

/**
 * What the app process does besides answering requests. It claims periodic jobs unless TOOLGATE_JOBS is off or
 * `claimJobs` is false (the front server under `npm start`, which leaves them to its Next.js process).
 */
export async function startBackgroundDuties({ claimJobs = env("TOOLGATE_JOBS") }: { claimJobs?: boolean } = {}): Promise<void> {
  wireGateway();
  installAuditShutdownHooks();
  await replayAuditSpool().catch(logFailure("replaying the audit spool"));
  // Both channels on the process's one LISTEN connection: decisions wake waiting calls, changes drop cached resolutions.
  listenForApprovalDecisions();
  await startResolutionInvalidation();
  // The rule an administrator set, before the first call goes out; later changes arrive with the notifications.
  await refreshOutboundPolicy().catch(logFailure("reading the outbound rule"));
  // Periodic work runs once per cluster, whichever instance claims it (./jobs.ts, decision 040). At
  // shutdown the instance stops claiming; a run under way finishes or its lease expires.
  if (claimJobs && !state.scheduler) {
    state.scheduler = new JobScheduler({ instanceId: instanceId(), jobs: periodicJobs() });
    await state.scheduler.start();
  }
}

/** Whether this process claims periodic jobs (TOOLGATE_JOBS). */
export function claimsJobs(): boolean {
  return state.scheduler !== undefined;
}

/** Stops claiming periodic jobs (at shutdown); resolves when the runs under way have finished. */
export async function stopBackgroundJobs(): Promise<void> {
  const scheduler = state.scheduler;
  state.scheduler = undefined;
  await scheduler?.stop();
}

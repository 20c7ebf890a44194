import { signAuditCheckpoint } from "@/lib/audit-trail/head-checkpoint";
import { pruneAuditEvents } from "@/lib/audit-trail/retention";
import { retireSunsetVersions } from "@/lib/certification/promotion";
import { deleteStaleCallResumptions } from "@/lib/gateway/call-resumptions";
import { sweepDrift } from "@/lib/gateway/drift-sweep";
import { deleteAllExpiredIdempotencyKeys } from "@/lib/gateway/idempotency";
import { deleteForwardedMessages } from "@/lib/gateway/session-messages";
import { deleteIdleGatewaySessions } from "@/lib/gateway/session-store";
import { expireAndEscalateApprovals } from "@/lib/tool-approvals/maintenance";
import { defineJob, type JobDefinition } from "./jobs";

// The cluster's periodic work, each run once per period by one instance (./jobs.ts, decision 040).
// One line per job; every job is idempotent and guarded row by row, so a retry after a lost lease is safe.

const minute = 60_000;
const hour = 60 * minute;

/** Every periodic job this version of Toolgate runs. */
export function periodicJobs(): JobDefinition[] {
  return [
    defineJob({ name: "retire-sunset-versions", periodMs: minute, run: retireSunsetVersions }),
    defineJob({ name: "expire-approvals", periodMs: minute / 2, run: () => expireAndEscalateApprovals() }),
    // Besides session opens, list_changed notifications and the recheck before risky calls (decision 015).
    defineJob({ name: "drift-sweep", periodMs: 5 * minute, run: () => sweepDrift() }),
    defineJob({ name: "idempotency-cleanup", periodMs: minute, run: () => deleteAllExpiredIdempotencyKeys() }),
    // 2025-era sessions unused for 30 minutes (decision 038); every instance drops its copy on the row's deletion.
    defineJob({ name: "idle-session-cleanup", periodMs: 5 * minute, run: () => deleteIdleGatewaySessions() }),
    // Client messages too large for a notification, kept for the instance they were forwarded to (decision 038).
    defineJob({ name: "session-message-cleanup", periodMs: minute, run: () => deleteForwardedMessages() }),
    // Forwarded retries of calls waiting for input whose instance stopped waiting for the outcome (decision 038).
    defineJob({ name: "call-resumption-cleanup", periodMs: minute, run: () => deleteStaleCallResumptions() }),
    // The chain head signed with the Ed25519 key and published (decision 041); skipped while the head stands still,
    // and failing, unsigned, while the events since the last checkpoint do not verify.
    defineJob({ name: "audit-checkpoint", periodMs: 10 * minute, run: () => signAuditCheckpoint() }),
    // Events past audit.retentionDays, behind a signed anchor (decision 041).
    defineJob({ name: "audit-retention", periodMs: hour, run: () => pruneAuditEvents() }),
  ];
}

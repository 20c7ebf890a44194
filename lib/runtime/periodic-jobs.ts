import { retireSunsetVersions } from "@/lib/certification/promotion";
import { sweepDrift } from "@/lib/gateway/drift-sweep";
import { deleteAllExpiredIdempotencyKeys } from "@/lib/gateway/idempotency";
import { expireAndEscalateApprovals } from "@/lib/tool-approvals/maintenance";
import { defineJob, type JobDefinition } from "./jobs";

// The cluster's periodic work, each run once per period by one instance (./jobs.ts, decision 040).
// One line per job; every job is idempotent and guarded row by row, so a retry after a lost lease is safe.

const minute = 60_000;

/** Every periodic job this version of Toolgate runs. */
export function periodicJobs(): JobDefinition[] {
  return [
    defineJob({ name: "retire-sunset-versions", periodMs: minute, run: retireSunsetVersions }),
    defineJob({ name: "expire-approvals", periodMs: minute / 2, run: () => expireAndEscalateApprovals() }),
    // Besides session opens, list_changed notifications and the recheck before risky calls (decision 015).
    defineJob({ name: "drift-sweep", periodMs: 5 * minute, run: () => sweepDrift() }),
    defineJob({ name: "idempotency-cleanup", periodMs: minute, run: () => deleteAllExpiredIdempotencyKeys() }),
  ];
}

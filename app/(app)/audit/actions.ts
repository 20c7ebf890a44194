"use server";

import { revalidatePath } from "next/cache";
import type { ActionState } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { chainReportMessage, verifyAuditChainAs } from "@/lib/audit-trail/verify";
import { ConflictError } from "@/lib/errors";

/** Checks the audit hash chain and says whether it holds. */
export async function verifyChainAction(): Promise<ActionState> {
  return actorAction(async (actor) => {
    const report = await verifyAuditChainAs(actor);
    // The check leaves an audit event, which the table should show, whatever its result (so not through
    // actorAction's revalidate, which runs after a success only).
    revalidatePath("/audit");
    // A broken chain is an alarm, not a success: it is shown the way refusals are.
    if (!report.intact) throw new ConflictError(chainReportMessage(report));
    return { message: chainReportMessage(report) };
  });
}

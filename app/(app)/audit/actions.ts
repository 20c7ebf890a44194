"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, toActionState } from "@/lib/action-state";
import { chainReportMessage, verifyAuditChainAs } from "@/lib/audit/verify";
import { requireActor } from "@/lib/auth/session";
import { ConflictError } from "@/lib/errors";

/** Checks the audit hash chain and says whether it holds. */
export async function verifyChainAction(): Promise<ActionState> {
  return toActionState(async () => {
    const report = await verifyAuditChainAs(await requireActor());
    // The check leaves an audit event, which the table should show.
    revalidatePath("/audit");
    // A broken chain is an alarm, not a success: it is shown the way refusals are.
    if (!report.intact) throw new ConflictError(chainReportMessage(report));
    return { message: chainReportMessage(report) };
  });
}

"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { certifyVersion, rejectVersion, submitVersion } from "@/lib/certification/lifecycle";
import { requestPromotion } from "@/lib/certification/promotion";

// Lifecycle steps from the entry page's Review tab; the domain functions check who may take them.

function refresh() {
  revalidatePath("/catalog", "layout");
  revalidatePath("/reviews");
  revalidatePath("/approvals");
}

export async function submitVersionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    await submitVersion(await requireActor(), { versionId: form.get("versionId") });
    refresh();
    return { message: "Submitted for review." };
  });
}

function waiversFrom(form: FormData) {
  return form.getAll("waive").map((check) => ({ check: String(check), reason: form.get(`waiver-${String(check)}`) ?? "" }));
}

export async function decideReviewAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const actor = await requireActor();
    const versionId = form.get("versionId");
    if (form.get("decision") === "reject") {
      await rejectVersion(actor, { versionId, reason: form.get("reason") });
      refresh();
      return { message: "Rejected." };
    }
    await certifyVersion(actor, {
      versionId,
      reason: form.get("reason"),
      riskTier: form.get("riskTier"),
      approvalTools: form.getAll("approvalTools"),
      waivers: waiversFrom(form),
    });
    refresh();
    return { message: "Certified; the manifest is signed." };
  }, formValues(form));
}

export async function requestPromotionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const request = await requestPromotion(await requireActor(), {
      versionId: form.get("versionId"),
      environment: form.get("environment"),
      rolloutPlan: form.get("rolloutPlan"),
      rollbackPlan: form.get("rollbackPlan"),
      killSwitchPlan: form.get("killSwitchPlan"),
      sunsetDays: form.get("sunsetDays"),
    });
    refresh();
    return { message: request.pending ? "Requested: waiting for an approver." : "Promoted." };
  }, formValues(form));
}

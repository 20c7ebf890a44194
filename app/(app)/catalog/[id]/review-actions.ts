"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction, type Revalidated } from "@/lib/actor-action";
import { certifyVersion, rejectVersion, submitVersion } from "@/lib/certification/lifecycle";
import { requestPromotion } from "@/lib/certification/promotion";

// Lifecycle steps from the entry page's Review tab; the domain functions check who may take them.

const revalidate: Revalidated[] = [["/catalog", "layout"], "/reviews", "/approvals"];

export async function submitVersionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    await submitVersion(actor, { versionId: form.get("versionId") });
    return { message: "Submitted for review." };
  }, { revalidate });
}

function waiversFrom(form: FormData) {
  return form.getAll("waive").map((check) => ({ check: String(check), reason: form.get(`waiver-${String(check)}`) ?? "" }));
}

export async function decideReviewAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const versionId = form.get("versionId");
    if (form.get("decision") === "reject") {
      await rejectVersion(actor, { versionId, reason: form.get("reason") });
      return { message: "Rejected." };
    }
    await certifyVersion(actor, {
      versionId,
      reason: form.get("reason"),
      riskTier: form.get("riskTier"),
      approvalTools: form.getAll("approvalTools"),
      waivers: waiversFrom(form),
    });
    return { message: "Certified; the manifest is signed." };
  }, { values: formValues(form), revalidate });
}

export async function requestPromotionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const request = await requestPromotion(actor, {
      versionId: form.get("versionId"),
      environment: form.get("environment"),
      rolloutPlan: form.get("rolloutPlan"),
      rollbackPlan: form.get("rollbackPlan"),
      killSwitchPlan: form.get("killSwitchPlan"),
      sunsetDays: form.get("sunsetDays"),
    });
    return { message: request.pending ? "Requested: waiting for an approver." : "Promoted." };
  }, { values: formValues(form), revalidate });
}

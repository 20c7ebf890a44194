"use server";

import { formFields } from "@/lib/action-state";
import { formAction, type Revalidated } from "@/lib/actor-action";
import { certifyVersion, rejectVersion, submitVersion } from "@/lib/certification/lifecycle";
import { requestPromotion } from "@/lib/certification/promotion";

// Lifecycle steps from the entry page's Review tab; the domain functions check who may take them.

const revalidate: Revalidated[] = [["/catalog", "layout"], "/reviews", "/approvals"];

export const submitVersionAction = formAction(async (actor, form) => {
  await submitVersion(actor, formFields(form, "versionId"));
  return { message: "Submitted for review." };
}, { revalidate });

function waiversFrom(form: FormData) {
  return form.getAll("waive").map((check) => ({ check: String(check), reason: form.get(`waiver-${String(check)}`) ?? "" }));
}

export const decideReviewAction = formAction(async (actor, form) => {
  if (form.get("decision") === "reject") {
    await rejectVersion(actor, formFields(form, "versionId", "reason"));
    return { message: "Rejected." };
  }
  await certifyVersion(actor, {
    ...formFields(form, "versionId", "reason", "riskTier"),
    approvalTools: form.getAll("approvalTools"),
    waivers: waiversFrom(form),
  });
  return { message: "Certified; the manifest is signed." };
}, { echo: true, revalidate });

export const requestPromotionAction = formAction(async (actor, form) => {
  const fields = formFields(form, "versionId", "environment", "rolloutPlan", "rollbackPlan", "killSwitchPlan", "sunsetDays");
  const request = await requestPromotion(actor, fields);
  return { message: request.pending ? "Requested: waiting for an approver." : "Promoted." };
}, { echo: true, revalidate });

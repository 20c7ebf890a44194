"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { decideGrant } from "@/lib/agents/grants";
import { decidePromotion } from "@/lib/certification/promotion";
import { decideToolCall } from "@/lib/tool-approvals/decisions";

// The approvals inbox's decisions; decidePromotion, decideGrant and decideToolCall check the role and separation of duties.

export async function decidePromotionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const decision = form.get("decision");
    await decidePromotion(actor, { promotionId: form.get("promotionId"), decision, reason: form.get("reason") });
    return { message: decision === "approve" ? "Approved: the version is promoted." : "Denied." };
  }, { values: formValues(form), revalidate: ["/approvals", ["/catalog", "layout"]] });
}

export async function decideGrantAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const decision = form.get("decision");
    await decideGrant(actor, { grantId: form.get("grantId"), decision, reason: form.get("reason") });
    return { message: decision === "approve" ? "Approved: the agent has access." : "Denied." };
  }, { values: formValues(form), revalidate: ["/approvals", "/agents"] });
}

export async function decideToolCallAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const decision = form.get("decision");
    await decideToolCall(actor, { requestId: form.get("requestId"), decision, reason: form.get("reason") });
    return { message: decision === "approve" ? "Approved: the waiting call goes ahead." : "Denied: the agent is told why." };
  }, { values: formValues(form), revalidate: ["/approvals"] });
}

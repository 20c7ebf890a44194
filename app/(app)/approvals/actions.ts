"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { decideGrant } from "@/lib/agents/grants";
import { requireActor } from "@/lib/auth/session";
import { decidePromotion } from "@/lib/certification/promotion";
import { decideToolCall } from "@/lib/tool-approvals/decisions";

// The approvals inbox's decisions; decidePromotion, decideGrant and decideToolCall check the role and separation of duties.

export async function decidePromotionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const decision = form.get("decision");
    await decidePromotion(await requireActor(), { promotionId: form.get("promotionId"), decision, reason: form.get("reason") });
    revalidatePath("/approvals");
    revalidatePath("/catalog", "layout");
    return { message: decision === "approve" ? "Approved: the version is promoted." : "Denied." };
  }, formValues(form));
}

export async function decideGrantAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const decision = form.get("decision");
    await decideGrant(await requireActor(), { grantId: form.get("grantId"), decision, reason: form.get("reason") });
    revalidatePath("/approvals");
    revalidatePath("/agents");
    return { message: decision === "approve" ? "Approved: the agent has access." : "Denied." };
  }, formValues(form));
}

export async function decideToolCallAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const decision = form.get("decision");
    await decideToolCall(await requireActor(), { requestId: form.get("requestId"), decision, reason: form.get("reason") });
    revalidatePath("/approvals");
    return { message: decision === "approve" ? "Approved: the waiting call goes ahead." : "Denied: the agent is told why." };
  }, formValues(form));
}

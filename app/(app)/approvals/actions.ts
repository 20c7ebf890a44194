"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { decidePromotion } from "@/lib/certification/promotion";

// The approvals inbox's decisions; decidePromotion checks the role and separation of duties.

export async function decidePromotionAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const decision = form.get("decision");
    await decidePromotion(await requireActor(), { promotionId: form.get("promotionId"), decision, reason: form.get("reason") });
    revalidatePath("/approvals");
    revalidatePath("/catalog", "layout");
    return { message: decision === "approve" ? "Approved: the version is promoted." : "Denied." };
  }, formValues(form));
}

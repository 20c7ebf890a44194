"use server";

import type { ActionState } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { claimReview } from "@/lib/certification/lifecycle";

export async function claimAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    await claimReview(actor, { versionId: form.get("versionId") });
    return { message: "Claimed: it is yours to review." };
  }, { revalidate: ["/reviews", ["/catalog", "layout"]] });
}

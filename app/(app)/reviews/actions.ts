"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { claimReview } from "@/lib/certification/lifecycle";

export async function claimAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    await claimReview(await requireActor(), { versionId: form.get("versionId") });
    revalidatePath("/reviews");
    revalidatePath("/catalog", "layout");
    return { message: "Claimed: it is yours to review." };
  });
}

"use server";

import { redirect } from "next/navigation";
import type { ActionState } from "@/lib/action-state";
import { formFields } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { claimReview } from "@/lib/certification/lifecycle";

/** Claims a review (from the queue or the entry), then opens the version's review; a refusal stays on the page. */
export async function claimAction(_: ActionState, form: FormData): Promise<ActionState> {
  const claimed = await actorAction(async (actor) => ({ message: "Claimed: it is yours to review.", data: await claimReview(actor, formFields(form, "versionId")) }), {
    revalidate: ["/reviews", ["/catalog", "layout"]],
  });
  if (claimed.status !== "ok" || !claimed.data) return claimed.status === "error" ? claimed : { status: "idle" };
  redirect(`/catalog/${claimed.data.serverId}?tab=review&v=${encodeURIComponent(claimed.data.version)}`);
}

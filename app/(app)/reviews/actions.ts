"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { claimReview } from "@/lib/certification/lifecycle";

export const claimAction = formAction(async (actor, form) => {
  await claimReview(actor, formFields(form, "versionId"));
  return { message: "Claimed: it is yours to review." };
}, { revalidate: ["/reviews", ["/catalog", "layout"]] });

"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { decideGrant } from "@/lib/agents/grants";
import { decidePromotion } from "@/lib/certification/promotion";
import { decideToolCall } from "@/lib/tool-approvals/decisions";

// The approvals inbox's decisions; decidePromotion, decideGrant and decideToolCall check the role and separation of duties.

const approved = (form: FormData) => form.get("decision") === "approve";

export const decidePromotionAction = formAction(async (actor, form) => {
  await decidePromotion(actor, formFields(form, "promotionId", "decision", "reason"));
  return { message: approved(form) ? "Approved: the version is promoted." : "Denied." };
}, { echo: true, revalidate: ["/approvals", ["/catalog", "layout"]] });

export const decideGrantAction = formAction(async (actor, form) => {
  await decideGrant(actor, formFields(form, "grantId", "decision", "reason"));
  return { message: approved(form) ? "Approved: the agent has access." : "Denied." };
}, { echo: true, revalidate: ["/approvals", "/agents"] });

export const decideToolCallAction = formAction(async (actor, form) => {
  await decideToolCall(actor, formFields(form, "requestId", "decision", "reason"));
  return { message: approved(form) ? "Approved: the waiting call goes ahead (or, if the agent stopped waiting, its next identical call)." : "Denied: the agent is told why." };
}, { echo: true, revalidate: ["/approvals"] });

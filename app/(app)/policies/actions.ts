"use server";

import { redirect } from "next/navigation";
import { type ActionState, formFields, formValues } from "@/lib/action-state";
import { actorAction, formAction } from "@/lib/actor-action";
import { requireActor } from "@/lib/auth/session";
import type { PolicyProblem } from "@/lib/policy/policy-set";
import { type Explanation, explainDecision } from "@/lib/policy/explain";
import { activatePolicySet, approvePolicySet, proposePolicySet, rejectPolicySet, rollBackPolicySet, saveDraft, setPolicySetShadow } from "@/lib/policy/policy-sets";
import { startReplay } from "@/lib/policy/replay-runs";
import { policyTextProblems } from "@/lib/policy/text-check";
import { replayInputFrom, whyInputFrom } from "./form-input";

// The Policies pages' changes; lib/policy/policy-sets checks the role, the status and the author, and audits.

/** The editor's live check, called as the author pauses typing. */
export async function checkPolicyTextAction(text: unknown): Promise<PolicyProblem[]> {
  return policyTextProblems(await requireActor(), text);
}

/** An empty form field is an absent value, not an id. */
const present = (value: FormDataEntryValue | null) => (value === null || value === "" ? undefined : value);

/** Saves the draft (new or the author's own) and, when the button asked, proposes it; then shows the set. */
export async function saveDraftAction(_: ActionState, form: FormData): Promise<ActionState> {
  let savedId = "";
  const state = await actorAction<undefined>(async (actor) => {
    const { id, basedOnId, text, description } = formFields(form, "id", "basedOnId", "text", "description");
    const saved = await saveDraft(actor, { id: present(id), basedOnId: present(basedOnId), text, description: description ?? "" });
    savedId = saved.id;
    if (form.get("then") !== "propose") return { message: `Saved draft ${saved.number}.` };
    const proposed = await proposePolicySet(actor, saved.id);
    return { message: `Proposed policy set ${proposed.number}: an approver who did not write it decides next.` };
  }, { values: formValues(form), revalidate: [["/policies", "layout"]] });
  // A new draft gets its own page, which shows its problems when it could not be proposed.
  if (savedId && !present(form.get("id"))) redirect(`/policies/${savedId}`);
  return state;
}

export const approvePolicySetAction = formAction(async (actor, form) => {
  const { id, reason } = formFields(form, "id", "reason");
  const set = await approvePolicySet(actor, id, present(reason));
  return { message: `Approved policy set ${set.number}; it can now be activated.` };
}, { echo: true, revalidate: [["/policies", "layout"]] });

export const rejectPolicySetAction = formAction(async (actor, form) => {
  const { id, reason } = formFields(form, "id", "reason");
  const set = await rejectPolicySet(actor, id, reason);
  return { message: `Rejected policy set ${set.number}.` };
}, { echo: true, revalidate: [["/policies", "layout"]] });

export const activatePolicySetAction = formAction(async (actor, form) => {
  const set = await activatePolicySet(actor, form.get("id"));
  return { message: `Policy set ${set.number} now decides every call.` };
}, { revalidate: [["/policies", "layout"]] });

export const rollBackPolicySetAction = formAction(async (actor, form) => {
  const set = await rollBackPolicySet(actor, form.get("id"));
  return { message: `Rolled back: policy set ${set.number} decides every call again.` };
}, { revalidate: [["/policies", "layout"]] });

export const setPolicySetShadowAction = formAction(async (actor, form) => {
  const on = form.get("shadow") === "on";
  const set = await setPolicySetShadow(actor, form.get("id"), on);
  return { message: on ? `Policy set ${set.number} now runs in shadow: each call is decided by it too, and disagreements are recorded.` : `Policy set ${set.number} no longer runs in shadow.` };
}, { revalidate: [["/policies", "layout"], "/"] });

export const startReplayAction = formAction(async (actor, form) => {
  const run = await startReplay(actor, form.get("id"), replayInputFrom(form));
  const days = Math.round((run.windowTo.getTime() - run.windowFrom.getTime()) / 86_400_000);
  return { message: `Replaying the last ${days} day${days === 1 ? "" : "s"} of calls.` };
}, { echo: true, revalidate: [["/policies", "layout"]] });

/** "Why": what the active set decides for an agent calling a tool, and which policies decided. */
export const whyAction = formAction<Explanation>(async (actor, form) => {
  const explanation = await explainDecision(actor, whyInputFrom(form));
  return { message: `Policy set ${explanation.policySet.number} decides ${explanation.decision}.`, data: explanation };
}, { echo: true });

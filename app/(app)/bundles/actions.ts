"use server";

import { redirect } from "next/navigation";
import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction, formAction } from "@/lib/actor-action";
import { createBundle, decideBundleVersion, saveBundleDraft, submitBundleVersion } from "@/lib/bundles/bundles";
import { createInputFrom, decisionFrom, draftInputFrom, versionInputFrom } from "./form-input";

// The Bundles pages' changes; lib/bundles/bundles.ts checks the role, the team, the status and the author, and audits.

/** Creates the bundle with its first version, a draft, then shows it. */
export async function createBundleAction(_: ActionState, form: FormData): Promise<ActionState> {
  let created = "";
  const state = await actorAction<undefined>(async (actor) => {
    const view = await createBundle(actor, createInputFrom(form));
    created = view.bundle;
    return { message: `Created ${view.bundle} with draft version 1.` };
  }, { values: formValues(form), revalidate: [["/bundles", "layout"]] });
  if (created) redirect(`/bundles/${created}`);
  return state;
}

export const saveBundleDraftAction = formAction(async (actor, form) => {
  const view = await saveBundleDraft(actor, draftInputFrom(form));
  return { message: `Saved draft version ${view.number} with ${view.tools.length} tool${view.tools.length === 1 ? "" : "s"}.` };
}, { echo: true, revalidate: [["/bundles", "layout"]] });

export const submitBundleVersionAction = formAction(async (actor, form) => {
  const input = versionInputFrom(form);
  await submitBundleVersion(actor, input);
  return { message: `Submitted version ${input.number}: a reviewer who did not write it decides next.` };
}, { revalidate: [["/bundles", "layout"]] });

export const decideBundleVersionAction = formAction(async (actor, form) => {
  const decision = decisionFrom(form);
  const input = versionInputFrom(form);
  await decideBundleVersion(actor, input, decision);
  return { message: decision === "certify" ? `Certified version ${input.number}: the bundle's endpoint serves it now.` : `Rejected version ${input.number}.` };
}, { echo: true, revalidate: [["/bundles", "layout"], "/"] });

"use server";

import { formFields } from "@/lib/action-state";
import { formAction, type Revalidated } from "@/lib/actor-action";
import { clearKillSwitch, engageKillSwitch } from "@/lib/killswitch/switches";
import { killSwitchTarget } from "@/lib/killswitch/types";

// A switch changes what every page showing its target says, so the whole app is revalidated.
const revalidate: Revalidated[] = [["/", "layout"]];

/** Engages a switch for the target in the form's scope, serverId, versionId and toolName fields. */
export const engageKillSwitchAction = formAction(async (actor, form) => {
  const engaged = await engageKillSwitch(actor, formFields(form, "scope", "serverId", "versionId", "toolName", "reason"));
  return { message: `Kill switch engaged: ${killSwitchTarget(engaged)} is stopped.` };
}, { echo: true, revalidate });

/** Clears the switch in the form's id field. */
export const clearKillSwitchAction = formAction(async (actor, form) => {
  const cleared = await clearKillSwitch(actor, formFields(form, "id", "reason"));
  return { message: `Kill switch cleared: ${killSwitchTarget(cleared)} runs again.` };
}, { echo: true, revalidate });

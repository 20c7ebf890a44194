"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction, type Revalidated } from "@/lib/actor-action";
import { clearKillSwitch, engageKillSwitch } from "@/lib/killswitch/switches";
import { killSwitchTarget } from "@/lib/killswitch/types";

// A switch changes what every page showing its target says, so the whole app is revalidated.
const revalidate: Revalidated[] = [["/", "layout"]];

/** Engages a switch for the target in the form's scope, serverId, versionId and toolName fields. */
export async function engageKillSwitchAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const engaged = await engageKillSwitch(actor, {
      scope: form.get("scope"),
      serverId: form.get("serverId"),
      versionId: form.get("versionId"),
      toolName: form.get("toolName"),
      reason: form.get("reason"),
    });
    return { message: `Kill switch engaged: ${killSwitchTarget(engaged)} is stopped.` };
  }, { values: formValues(form), revalidate });
}

/** Clears the switch in the form's id field. */
export async function clearKillSwitchAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const cleared = await clearKillSwitch(actor, { id: form.get("id"), reason: form.get("reason") });
    return { message: `Kill switch cleared: ${killSwitchTarget(cleared)} runs again.` };
  }, { values: formValues(form), revalidate });
}

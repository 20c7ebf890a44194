"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { clearKillSwitch, engageKillSwitch } from "@/lib/killswitch/switches";
import { killSwitchTarget } from "@/lib/killswitch/types";

// A switch changes what every page showing its target says, so the whole app is revalidated.

/** Engages a switch for the target in the form's scope, serverId, versionId and toolName fields. */
export async function engageKillSwitchAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const engaged = await engageKillSwitch(await requireActor(), {
      scope: form.get("scope"),
      serverId: form.get("serverId"),
      versionId: form.get("versionId"),
      toolName: form.get("toolName"),
      reason: form.get("reason"),
    });
    revalidatePath("/", "layout");
    return { message: `Kill switch engaged: ${killSwitchTarget(engaged)} is stopped.` };
  }, formValues(form));
}

/** Clears the switch in the form's id field. */
export async function clearKillSwitchAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const cleared = await clearKillSwitch(await requireActor(), { id: form.get("id"), reason: form.get("reason") });
    revalidatePath("/", "layout");
    return { message: `Kill switch cleared: ${killSwitchTarget(cleared)} runs again.` };
  }, formValues(form));
}

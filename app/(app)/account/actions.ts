"use server";

import type { ActionState } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { changeOwnPassword } from "@/lib/users/credentials";

export async function changePasswordAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    await changeOwnPassword(actor, {
      currentPassword: form.get("currentPassword"),
      newPassword: form.get("newPassword"),
    });
    return { message: "Your password was changed." };
  });
}

"use server";

import { type ActionState, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { changeOwnPassword } from "@/lib/users/credentials";

export async function changePasswordAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const actor = await requireActor();
    await changeOwnPassword(actor, {
      currentPassword: form.get("currentPassword"),
      newPassword: form.get("newPassword"),
    });
    return { message: "Your password was changed." };
  });
}

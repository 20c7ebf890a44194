"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { changeOwnPassword } from "@/lib/users/credentials";

export const changePasswordAction = formAction(async (actor, form) => {
  await changeOwnPassword(actor, formFields(form, "currentPassword", "newPassword"));
  return { message: "Your password was changed." };
});

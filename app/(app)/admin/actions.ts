"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { setPolicy } from "@/lib/settings/policy";
import { createTeam, setUserTeams } from "@/lib/teams/manage";
import { createUser, setUserDisabled, updateUserRoles } from "@/lib/users/manage";
import { policyValueFrom } from "./policy-input";

export async function createUserAction(_: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return toActionState(async () => {
    const actor = await requireActor();
    const { user, generatedPassword } = await createUser(actor, {
      email: form.get("email"),
      name: form.get("name"),
      password: form.get("password") ?? "",
      roles: form.getAll("roles"),
    });
    revalidatePath("/admin");
    return { message: `Created ${user.email}.`, data: generatedPassword };
  }, formValues(form, ["password"]));
}

export async function updateRolesAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const actor = await requireActor();
    const user = await updateUserRoles(actor, { userId: form.get("userId"), roles: form.getAll("roles") });
    revalidatePath("/admin");
    return { message: `Saved roles of ${user.email}.` };
  });
}

export async function setDisabledAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const actor = await requireActor();
    const disabled = form.get("disabled") === "true";
    const user = await setUserDisabled(actor, { userId: form.get("userId"), disabled });
    revalidatePath("/admin");
    return { message: `${user.email} is now ${disabled ? "disabled" : "enabled"}.` };
  });
}

export async function createTeamAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const team = await createTeam(await requireActor(), { name: form.get("name") });
    revalidatePath("/admin");
    return { message: `Created team ${team.name}.` };
  }, formValues(form));
}

export async function setTeamsAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const user = await setUserTeams(await requireActor(), { userId: form.get("userId"), teamIds: form.getAll("teamIds") });
    revalidatePath("/admin");
    return { message: `Saved teams of ${user.email}.` };
  });
}

export async function setPolicyAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const actor = await requireActor();
    const key = String(form.get("key") ?? "");
    await setPolicy(actor, key, policyValueFrom(key, form));
    revalidatePath("/admin");
    return { message: "Saved." };
  }, formValues(form));
}

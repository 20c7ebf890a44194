"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { setPolicy } from "@/lib/settings/policy";
import { createTeam, setUserTeams } from "@/lib/teams/manage";
import { createUser, setUserDisabled, updateUserRoles } from "@/lib/users/manage";
import { policyValueFrom } from "./policy-input";

const revalidate = ["/admin"];

export async function createUserAction(_: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return actorAction(async (actor) => {
    const { user, generatedPassword } = await createUser(actor, {
      email: form.get("email"),
      name: form.get("name"),
      password: form.get("password") ?? "",
      roles: form.getAll("roles"),
    });
    return { message: `Created ${user.email}.`, data: generatedPassword };
  }, { values: formValues(form, ["password"]), revalidate });
}

export async function updateRolesAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const user = await updateUserRoles(actor, { userId: form.get("userId"), roles: form.getAll("roles") });
    return { message: `Saved roles of ${user.email}.` };
  }, { revalidate });
}

export async function setDisabledAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const disabled = form.get("disabled") === "true";
    const user = await setUserDisabled(actor, { userId: form.get("userId"), disabled });
    return { message: `${user.email} is now ${disabled ? "disabled" : "enabled"}.` };
  }, { revalidate });
}

export async function createTeamAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const team = await createTeam(actor, { name: form.get("name") });
    return { message: `Created team ${team.name}.` };
  }, { values: formValues(form), revalidate });
}

export async function setTeamsAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const user = await setUserTeams(actor, { userId: form.get("userId"), teamIds: form.getAll("teamIds") });
    return { message: `Saved teams of ${user.email}.` };
  }, { revalidate });
}

export async function setPolicyAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const key = String(form.get("key") ?? "");
    await setPolicy(actor, key, policyValueFrom(key, form));
    return { message: "Saved." };
  }, { values: formValues(form), revalidate });
}

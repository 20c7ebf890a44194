"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { mayConnectTo, resetOutboundRule, setOutboundRule } from "@/lib/settings/outbound";
import { setPolicy } from "@/lib/settings/policy";
import { createTeam, setUserTeams } from "@/lib/teams/manage";
import { createUser, setUserDisabled, updateUserRoles } from "@/lib/users/manage";
import { policyValueFrom } from "./policy-input";

const revalidate = ["/admin"];

export const createUserAction = formAction(async (actor, form) => {
  const { user, generatedPassword } = await createUser(actor, {
    ...formFields(form, "email", "name"),
    password: form.get("password") ?? "",
    roles: form.getAll("roles"),
  });
  return { message: `Created ${user.email}.`, data: generatedPassword };
}, { echo: { omit: ["password"] }, revalidate });

export const updateRolesAction = formAction(async (actor, form) => {
  const user = await updateUserRoles(actor, { userId: form.get("userId"), roles: form.getAll("roles") });
  return { message: `Saved roles of ${user.email}.` };
}, { revalidate });

export const setDisabledAction = formAction(async (actor, form) => {
  const disabled = form.get("disabled") === "true";
  const user = await setUserDisabled(actor, { userId: form.get("userId"), disabled });
  return { message: `${user.email} is now ${disabled ? "disabled" : "enabled"}.` };
}, { revalidate });

export const createTeamAction = formAction(async (actor, form) => {
  const team = await createTeam(actor, formFields(form, "name"));
  return { message: `Created team ${team.name}.` };
}, { echo: true, revalidate });

export const setTeamsAction = formAction(async (actor, form) => {
  const user = await setUserTeams(actor, { userId: form.get("userId"), teamIds: form.getAll("teamIds") });
  return { message: `Saved teams of ${user.email}.` };
}, { revalidate });

export const setPolicyAction = formAction(async (actor, form) => {
  const key = String(form.get("key") ?? "");
  await setPolicy(actor, key, policyValueFrom(key, form));
  return { message: "Saved." };
}, { echo: true, revalidate });

export const setOutboundAction = formAction(async (actor, form) => {
  if (form.get("intent") === "reset") {
    const rule = await resetOutboundRule(actor);
    return { message: `Saved: back to the default. ${mayConnectTo(rule.allow)}.` };
  }
  const rule = await setOutboundRule(actor, { allow: form.get("allow") });
  return { message: `Saved: ${mayConnectTo(rule.allow)}.` };
}, { echo: true, revalidate });

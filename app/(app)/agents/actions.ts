"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { createAgent, setAgentDisabled } from "@/lib/agents/agents";
import { grantAccess, revokeGrant } from "@/lib/agents/grants";
import { createApiKey, revokeApiKey } from "@/lib/agents/keys";
import { commaList } from "../admin/policy-input";

// The agents page's changes; lib/agents checks the role and the agent's team, and audits.

export async function createAgentAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const agent = await createAgent(actor, {
      name: form.get("name"),
      description: form.get("description"),
      teamId: form.get("teamId"),
      environment: form.get("environment"),
    });
    return { message: `Created agent ${agent.name}.` };
  }, { values: formValues(form), revalidate: ["/agents"] });
}

export async function setAgentDisabledAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const disabled = form.get("disabled") === "true";
    const agent = await setAgentDisabled(actor, { agentId: form.get("agentId"), disabled });
    return { message: `${agent.name} is now ${disabled ? "disabled: its keys no longer work" : "enabled"}.` };
  }, { revalidate: ["/agents"] });
}

/** The new key travels back once, in the state's data; it is never stored or shown again. */
export async function createApiKeyAction(_: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return actorAction(async (actor) => {
    const created = await createApiKey(actor, { agentId: form.get("agentId"), label: form.get("label"), expiresAt: form.get("expiresAt") });
    return { message: `Created key ${created.prefix}.`, data: created.key };
  }, { values: formValues(form), revalidate: ["/agents"] });
}

export async function revokeApiKeyAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const key = await revokeApiKey(actor, { keyId: form.get("keyId"), reason: form.get("reason") });
    return { message: `Revoked key ${key.prefix}.` };
  }, { values: formValues(form), revalidate: ["/agents"] });
}

export async function grantAccessAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const grant = await grantAccess(actor, {
      agentId: form.get("agentId"),
      serverId: form.get("serverId"),
      tools: commaList(String(form.get("tools") ?? "")),
      expiresAt: form.get("expiresAt"),
    });
    return { message: grant.status === "pending" ? "Requested: this server's risk tier needs an approver's decision." : "Granted." };
  }, { values: formValues(form), revalidate: ["/agents", "/approvals"] });
}

export async function revokeGrantAction(_: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    await revokeGrant(actor, { grantId: form.get("grantId"), reason: form.get("reason") });
    return { message: "Revoked." };
  }, { values: formValues(form), revalidate: ["/agents", "/approvals"] });
}

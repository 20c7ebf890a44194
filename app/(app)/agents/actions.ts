"use server";

import { revalidatePath } from "next/cache";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { createAgent, setAgentDisabled } from "@/lib/agents/agents";
import { grantAccess, revokeGrant } from "@/lib/agents/grants";
import { createApiKey, revokeApiKey } from "@/lib/agents/keys";
import { requireActor } from "@/lib/auth/session";
import { commaList } from "../admin/policy-input";

// The agents page's changes; lib/agents checks the role and the agent's team, and audits.

export async function createAgentAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const agent = await createAgent(await requireActor(), {
      name: form.get("name"),
      description: form.get("description"),
      teamId: form.get("teamId"),
      environment: form.get("environment"),
    });
    revalidatePath("/agents");
    return { message: `Created agent ${agent.name}.` };
  }, formValues(form));
}

export async function setAgentDisabledAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const disabled = form.get("disabled") === "true";
    const agent = await setAgentDisabled(await requireActor(), { agentId: form.get("agentId"), disabled });
    revalidatePath("/agents");
    return { message: `${agent.name} is now ${disabled ? "disabled: its keys no longer work" : "enabled"}.` };
  });
}

/** The new key travels back once, in the state's data; it is never stored or shown again. */
export async function createApiKeyAction(_: ActionState<string>, form: FormData): Promise<ActionState<string>> {
  return toActionState(async () => {
    const created = await createApiKey(await requireActor(), { agentId: form.get("agentId"), label: form.get("label"), expiresAt: form.get("expiresAt") });
    revalidatePath("/agents");
    return { message: `Created key ${created.prefix}.`, data: created.key };
  }, formValues(form));
}

export async function revokeApiKeyAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const key = await revokeApiKey(await requireActor(), { keyId: form.get("keyId"), reason: form.get("reason") });
    revalidatePath("/agents");
    return { message: `Revoked key ${key.prefix}.` };
  }, formValues(form));
}

export async function grantAccessAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    const grant = await grantAccess(await requireActor(), {
      agentId: form.get("agentId"),
      serverId: form.get("serverId"),
      tools: commaList(String(form.get("tools") ?? "")),
      expiresAt: form.get("expiresAt"),
    });
    revalidatePath("/agents");
    revalidatePath("/approvals");
    return { message: grant.status === "pending" ? "Requested: this server's risk tier needs an approver's decision." : "Granted." };
  }, formValues(form));
}

export async function revokeGrantAction(_: ActionState, form: FormData): Promise<ActionState> {
  return toActionState(async () => {
    await revokeGrant(await requireActor(), { grantId: form.get("grantId"), reason: form.get("reason") });
    revalidatePath("/agents");
    revalidatePath("/approvals");
    return { message: "Revoked." };
  }, formValues(form));
}

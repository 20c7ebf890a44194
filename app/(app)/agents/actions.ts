"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { createAgent, setAgentDisabled, setAgentToolDiscovery } from "@/lib/agents/agents";
import { grantAccess, revokeGrant } from "@/lib/agents/grants";
import { createApiKey, revokeApiKey } from "@/lib/agents/keys";
import { bindTokenSubject, unbindTokenSubject } from "@/lib/identity/bindings";
import { previewAgentTools } from "@/lib/gateway/agent-connection";
import { commaList } from "../admin/policy-input";

// The agents page's changes; lib/agents checks the role and the agent's team, and audits.

export const createAgentAction = formAction(async (actor, form) => {
  const agent = await createAgent(actor, formFields(form, "name", "description", "teamId", "environment"));
  return { message: `Created agent ${agent.name}.` };
}, { echo: true, revalidate: ["/agents"] });

export const setAgentDisabledAction = formAction(async (actor, form) => {
  const disabled = form.get("disabled") === "true";
  const agent = await setAgentDisabled(actor, { agentId: form.get("agentId"), disabled });
  return { message: `${agent.name} is now ${disabled ? "disabled: its keys no longer work" : "enabled"}.` };
}, { revalidate: ["/agents"] });

export const setAgentToolDiscoveryAction = formAction(async (actor, form) => {
  const agent = await setAgentToolDiscovery(actor, formFields(form, "agentId", "toolDiscovery"));
  return { message: agent.toolDiscovery === "search" ? `${agent.name} now sees search_tools, describe_tool and call_tool instead of every tool.` : `${agent.name} now sees every tool it may use.` };
}, { revalidate: ["/agents"] });

/** The new key travels back once, in the state's data; it is never stored or shown again. */
export const createApiKeyAction = formAction(async (actor, form) => {
  const created = await createApiKey(actor, formFields(form, "agentId", "label", "expiresAt"));
  return { message: `Created key ${created.prefix}.`, data: created.key };
}, { echo: true, revalidate: ["/agents"] });

export const revokeApiKeyAction = formAction(async (actor, form) => {
  const key = await revokeApiKey(actor, formFields(form, "keyId", "reason"));
  return { message: `Revoked key ${key.prefix}.` };
}, { echo: true, revalidate: ["/agents"] });

export const grantAccessAction = formAction(async (actor, form) => {
  const grant = await grantAccess(actor, { ...formFields(form, "agentId", "serverId", "expiresAt"), tools: commaList(String(form.get("tools") ?? "")) });
  return { message: grant.status === "pending" ? "Requested: this server's risk tier needs an approver's decision." : "Granted." };
}, { echo: true, revalidate: ["/agents", "/approvals"] });

export const revokeGrantAction = formAction(async (actor, form) => {
  await revokeGrant(actor, formFields(form, "grantId", "reason"));
  return { message: "Revoked." };
}, { echo: true, revalidate: ["/agents", "/approvals"] });

/** What the agent's tools/list would show now: the page's "Test connection". */
export const previewAgentToolsAction = formAction<string[]>(async (actor, form) => {
  const { agentName, tools } = await previewAgentTools(actor, formFields(form, "agentId"));
  const message = tools.length === 0 ? `${agentName} sees no tools yet: it needs an active grant to a server certified and promoted to its environment.` : `${agentName} sees ${tools.length} tool${tools.length === 1 ? "" : "s"}.`;
  return { message, data: tools };
});

export const bindTokenSubjectAction = formAction(async (actor, form) => {
  const binding = await bindTokenSubject(actor, formFields(form, "agentId", "issuerId", "kind", "subject"));
  return { message: `Bound: tokens with ${binding.kind} ${binding.subject} now act as this agent.` };
}, { echo: true, revalidate: ["/agents", "/admin"] });

export const unbindTokenSubjectAction = formAction(async (actor, form) => {
  await unbindTokenSubject(actor, formFields(form, "bindingId"));
  return { message: "Unbound." };
}, { revalidate: ["/agents", "/admin"] });

import type { AgentIdentity } from "@/lib/agents/keys";
import { type Scope, scopes as allScopes } from "@/lib/agents/scopes";
import { insufficientScopeChallenge, missingScopes } from "@/lib/identity/challenge";
import { callerOf } from "./audit-event";
import { enqueueGatewayAudit } from "./audit-queue";
import { protectedResourceMetadataUrl } from "./credentials";
import type { EdgeRequest } from "./edge-request";
import { viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { toolCalledBy } from "./discovery-tools";
import type { ResolvedTool } from "./resolution";
import { jsonRpcError } from "./rpc-errors";

// Least privilege for access tokens (issue #17, A6): tools/list needs tools:read, tools/call needs
// tools:call, and a call of a tool whose certified risk tier is high or critical also needs
// tools:call:high-risk. A token without them gets HTTP 403 with a challenge naming only what it lacks,
// so the client can ask its authorization server for exactly that (step-up); the refusal is audited
// with the request's correlation id. API keys carry every scope and skip this.

const highRiskTiers = new Set(["high", "critical"]);

/** The scopes a message needs, given the agent's view for a tools/call. */
async function neededScopes(agent: AgentIdentity, body: unknown, endpoint: GatewayEndpoint | null): Promise<{ needed: Scope[]; method?: "tools/list" | "tools/call"; name?: string; tool?: ResolvedTool }> {
  const message = body && typeof body === "object" ? (body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } }) : {};
  if (message.method === "tools/list") return { needed: ["tools:read"], method: "tools/list" };
  if (message.method !== "tools/call") return { needed: [] };
  const name = typeof message.params?.name === "string" ? message.params.name : undefined;
  if (name === undefined) return { needed: ["tools:call"], method: "tools/call" };
  // A tool the agent may not see is refused later as unknown, whatever the token's scopes.
  const view = await viewAt(agent.agentId, endpoint);
  // In discovery mode search_tools and describe_tool read, as tools/list does; call_tool needs what the tool it names needs.
  const called = toolCalledBy(agent, view, name, message.params?.arguments);
  if (called === null) return { needed: name === "call_tool" ? ["tools:call"] : ["tools:read"], method: "tools/call", name };
  const tool = view.toolsByName.get(called);
  const highRisk = tool?.riskTier != null && highRiskTiers.has(tool.riskTier);
  return { needed: highRisk ? ["tools:call", "tools:call:high-risk"] : ["tools:call"], method: "tools/call", name, tool };
}

/** The audited 403 for a token lacking a scope the message needs, or null to serve it. */
export async function scopeRefusal(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<Response | null> {
  if (agent.via === "key" || allScopes.every((scope) => agent.scopes.includes(scope))) return null;
  const { needed, method, name, tool } = await neededScopes(agent, body, endpoint);
  const missing = missingScopes(agent.scopes, needed);
  if (!missing.length || !method) return null;
  const message = `The access token lacks the scope ${missing.join(" and ")} that ${method === "tools/list" ? "listing tools" : `calling ${name}`} needs; ask the authorization server for it.`;
  enqueueGatewayAudit({
    ...callerOf(agent),
    serverId: tool?.serverId,
    serverName: tool?.serverName,
    version: tool?.version,
    tool: tool?.toolName ?? name,
    decision: "refused",     reason: `insufficient_scope: missing ${missing.join(" ")}`,
    latencyMs: 0,
    correlationId,
    method,
    details: { missingScopes: missing.join(" "), via: "token" },
  });
  const challenge = insufficientScopeChallenge(missing, { resource_metadata: protectedResourceMetadataUrl(request), error_description: message });
  return jsonRpcError(403, -32001, message, { "WWW-Authenticate": challenge });
}

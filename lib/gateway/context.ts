import { randomUUID } from "node:crypto";
import type { AgentIdentity } from "@/lib/agents/keys";
import type { GatewayEndpoint } from "./endpoints";

// What each MCP handler needs to know about the HTTP request that carried its message: the agent and
// the request's correlation id. Both SDKs hand the handler the `authInfo` given with that one request,
// so it travels there rather than in an AsyncLocalStorage, whose hooks would tax every promise.

export interface GatewayAuthInfo {
  token: string;
  clientId: string;
  scopes: string[];
  extra: { agent: AgentIdentity; correlationId: string; endpoint: GatewayEndpoint | null };
}

export function gatewayAuthInfo(agent: AgentIdentity, correlationId: string, endpoint: GatewayEndpoint | null = null): GatewayAuthInfo {
  return { token: "", clientId: agent.agentId, scopes: [], extra: { agent, correlationId, endpoint } };
}

/** The endpoint the edge found this message's request addressed to (null: /mcp). */
export function endpointOfAuthInfo(authInfo: { extra?: Record<string, unknown> } | undefined): GatewayEndpoint | null {
  return (authInfo?.extra?.endpoint as GatewayEndpoint | null | undefined) ?? null;
}

/** The correlation id the edge gave this message's HTTP request (a fresh one if none came along). */
export function correlationIdOf(authInfo: { extra?: Record<string, unknown> } | undefined): string {
  const id = authInfo?.extra?.correlationId;
  return typeof id === "string" ? id : randomUUID();
}

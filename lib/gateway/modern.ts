import { type CallToolResult, createMcpHandler, type McpRequestContext, ProtocolError, Server } from "@modelcontextprotocol/server";
import type { AgentIdentity } from "@/lib/agents/keys";
import { waitHooks } from "./approval-gate";
import { correlationIdOf, gatewayAuthInfo } from "./context";
import { callGatewayTool, GatewayRefusal, listGatewayTools, refuseMalformedParams } from "./virtual-server";

// 2026-07-28 clients (stateless: server/discover, per-request _meta, Mcp-Method / Mcp-Name headers)
// are served by the v2 SDK's per-request handler, which also checks the headers against the body.
// 2025-era traffic never reaches it: lib/gateway/http.ts routes that to the sessionful legacy leg.

function asProtocolError(error: unknown): never {
  if (error instanceof GatewayRefusal) throw new ProtocolError(error.code, error.message);
  throw error;
}

function agentOf(context: McpRequestContext): AgentIdentity {
  const agent = context.authInfo?.extra?.agent as AgentIdentity | undefined;
  if (!agent) throw new Error("The gateway serves only authenticated agents.");
  return agent;
}

function virtualServer(context: McpRequestContext): Server {
  const agent = agentOf(context);
  const server = new Server({ name: "toolgate-gateway", title: "Toolgate", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler("tools/list", (request) => listGatewayTools(agent, request.params?.cursor).catch(asProtocolError));
  server.setRequestHandler("tools/call", (request, context) => {
    const hooks = waitHooks(context.mcpReq._meta?.progressToken, (notification) => context.mcpReq.notify(notification), context.mcpReq.signal);
    // Results pass back exactly as the backend sent them.
    return callGatewayTool(agent, request.params.name, request.params.arguments ?? {}, correlationIdOf(context.http?.authInfo), hooks).catch(asProtocolError) as Promise<CallToolResult>;
  });
  return server;
}

const handler = createMcpHandler(virtualServer, { legacy: "reject", maxRequestBodySize: 4 * 1024 * 1024 });

export async function handleModernRequest(agent: AgentIdentity, request: Request, body: unknown, correlationId: string): Promise<Response> {
  return refuseMalformedParams(agent, body, correlationId) ?? handler.fetch(request, { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId) });
}

import { type CallToolResult, CLIENT_CAPABILITIES_META_KEY, createMcpHandler, type McpRequestContext, ProtocolError, Server } from "@modelcontextprotocol/server";
import type { AgentIdentity } from "@/lib/agents/keys";
import { isPlainObject } from "@/lib/json/plain-object";
import { waitHooks } from "./approval-gate";
import { type CallRelay, loggingLevelOf, type RelayedNotification } from "./call-relay";
import { listTtlMs } from "./list-changes";
import { correlationIdOf, endpointOfAuthInfo, gatewayAuthInfo } from "./context";
import type { GatewayEndpoint } from "./endpoints";
import { type EdgeRequest, type GatewayAnswer, plainAnswer } from "./edge-request";
import { idempotencyKeyOf } from "./idempotency-key";
import { answerLeanCall, leanCallOf, type LeanCall } from "./lean-call";
import { completeGateway } from "./completion";
import { getGatewayPrompt, listGatewayPrompts, listGatewayResources, listGatewayResourceTemplates, readGatewayResource } from "./definitions-server";
import { resumeAnywhere } from "./call-resumptions";
import { declaresRelayCapability, startAskingCall } from "./suspended-calls";
import { callGatewayTool, GatewayRefusal, gatewayServerInfo, listGatewayTools, refuseMalformedParams } from "./virtual-server";

// 2026-07-28 clients (stateless: server/discover, per-request _meta, Mcp-Method / Mcp-Name headers)
// are served by the v2 SDK's per-request handler, which also checks the headers against the body.
// 2025-era traffic never reaches it: lib/gateway/http.ts routes that to the sessionful legacy leg.

function asProtocolError(error: unknown): never {
  if (error instanceof GatewayRefusal) throw new ProtocolError(error.code, error.message);
  throw error;
}

/** A list result with its cache hint (no session tells a 2026-07-28 client of changes; ./list-changes.ts): the agent's own view, so private. */
function cacheable<T extends object>(result: T): T & { ttlMs: number; cacheScope: "private" } {
  return { ...result, ttlMs: listTtlMs, cacheScope: "private" };
}

function agentOf(context: McpRequestContext): AgentIdentity {
  const agent = context.authInfo?.extra?.agent as AgentIdentity | undefined;
  if (!agent) throw new Error("The gateway serves only authenticated agents.");
  return agent;
}

function virtualServer(context: McpRequestContext): Server {
  const agent = agentOf(context);
  const endpoint = endpointOfAuthInfo(context.authInfo);
  const server = new Server(gatewayServerInfo, { capabilities: { tools: {}, resources: {}, prompts: {}, logging: {}, completions: {} } });
  server.setRequestHandler("tools/list", (request) => listGatewayTools(agent, request.params?.cursor, endpoint).then(cacheable, asProtocolError));
  server.setRequestHandler("tools/call", (request, context) => {
    // A 2026-07-28 client asks for log messages per request (`_meta`'s logLevel): relayed from that level up (./call-relay.ts).
    const logLevel = loggingLevelOf((context.mcpReq.envelope as Record<string, unknown> | undefined)?.[logLevelKey]);
    const notify = (notification: RelayedNotification) => context.mcpReq.notify(notification);
    // A backend asking a client that declared elicitation/sampling: input_required, then the client's retry
    // (./suspended-calls.ts), forwarded to the instance holding the call if another does (./call-resumptions.ts).
    const { name, arguments: args = {} } = request.params;
    const requestState = context.mcpReq.requestState();
    if (requestState !== undefined || context.mcpReq.inputResponses !== undefined) {
      return resumeAnywhere({ agent, name, args, requestState, inputResponses: context.mcpReq.inputResponses, correlationId: correlationIdOf(context.http?.authInfo), clientSignal: context.mcpReq.signal, endpoint }).catch(asProtocolError) as Promise<CallToolResult>;
    }
    const capabilities = (context.mcpReq.envelope as Record<string, unknown> | undefined)?.[CLIENT_CAPABILITIES_META_KEY];
    if (declaresRelayCapability(capabilities)) {
      const run = (ask: CallRelay["ask"], signal: AbortSignal) => callGatewayTool(agent, name, args, correlationIdOf(context.http?.authInfo), waitHooks(context.mcpReq._meta?.progressToken, notify, signal, logLevel, ask), endpoint, idempotencyKeyOf(context.mcpReq._meta));
      return startAskingCall(agent, name, args, capabilities, context.mcpReq.signal, run).catch(asProtocolError) as Promise<CallToolResult>;
    }
    const hooks = waitHooks(context.mcpReq._meta?.progressToken, notify, context.mcpReq.signal, logLevel);
    // Results pass back exactly as the backend sent them.
    return callGatewayTool(agent, request.params.name, request.params.arguments ?? {}, correlationIdOf(context.http?.authInfo), hooks, endpoint, idempotencyKeyOf(context.mcpReq._meta)).catch(asProtocolError) as Promise<CallToolResult>;
  });
  // Resources and prompts of pinned, certified versions (./definitions-server.ts, decision 032).
  server.setRequestHandler("resources/list", (request) => listGatewayResources(agent, request.params?.cursor, endpoint).then(cacheable, asProtocolError));
  server.setRequestHandler("resources/templates/list", (request) => listGatewayResourceTemplates(agent, request.params?.cursor, endpoint).then(cacheable, asProtocolError));
  server.setRequestHandler("resources/read", (request, context) => readGatewayResource(agent, request.params.uri, correlationIdOf(context.http?.authInfo), endpoint).catch(asProtocolError));
  server.setRequestHandler("prompts/list", (request) => listGatewayPrompts(agent, request.params?.cursor, endpoint).then(cacheable, asProtocolError));
  server.setRequestHandler("prompts/get", (request, context) => getGatewayPrompt(agent, request.params.name, request.params.arguments, correlationIdOf(context.http?.authInfo), endpoint).catch(asProtocolError));
  // Completion of a prompt's or resource template's arguments, checked like prompts/get and resources/read (./completion.ts).
  server.setRequestHandler("completion/complete", (request, context) => completeGateway(agent, request.params, correlationIdOf(context.http?.authInfo), endpoint).catch(asProtocolError));
  return server;
}

const logLevelKey = "io.modelcontextprotocol/logLevel";

const handler = createMcpHandler(virtualServer, { legacy: "reject", maxRequestBodySize: 4 * 1024 * 1024 });

export async function handleModernRequest(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<GatewayAnswer> {
  const malformed = refuseMalformedParams(agent, body, correlationId);
  if (malformed) return malformed;
  const call = leanCallOf(body);
  const answer = call && servesLean(request, call, body) ? await answerLeanCall(agent, call, correlationId, "modern", endpoint, request.signal()) : null;
  if (answer !== null) return plainAnswer(200, { "content-type": "application/json" }, answer);
  return handler.fetch(request.fetchRequest(), { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId, endpoint) });
}

const modernRevision = "2026-07-28";
const envelopeKeys = new Set(["io.modelcontextprotocol/protocolVersion", "io.modelcontextprotocol/clientCapabilities", "io.modelcontextprotocol/clientInfo"]);

// The lean path takes a tools/call only where the SDK's checks would all pass: the revision claimed in the
// header and the envelope, Mcp-Method and Mcp-Name repeating the body, an envelope with nothing else of the
// protocol's in it. Anything else goes to the SDK, so its answer (or refusal) is the SDK's own.
function servesLean(request: EdgeRequest, call: LeanCall, body: unknown): boolean {
  const { headers } = request;
  if (request.method !== "POST" || headers.get("mcp-protocol-version") !== modernRevision || headers.get("mcp-method") !== "tools/call") return false;
  if (headers.get("mcp-name") !== call.name || !headers.get("accept")?.includes("application/json")) return false;
  const params = (body as { params: { _meta?: unknown; requestState?: unknown; inputResponses?: unknown } }).params;
  // A retry of a call that required input, and a client a backend may ask (elicitation, sampling), need the SDK path.
  if (params.requestState !== undefined || params.inputResponses !== undefined) return false;
  const meta = params._meta;
  if (!isPlainObject(meta) || meta["io.modelcontextprotocol/protocolVersion"] !== modernRevision) return false;
  const declared = [meta["io.modelcontextprotocol/clientCapabilities"], meta["io.modelcontextprotocol/clientInfo"]];
  if (declared.some((value) => value !== undefined && !isPlainObject(value)) || declaresRelayCapability(declared[0])) return false;
  return Object.keys(meta).every((key) => !key.startsWith("io.modelcontextprotocol/") || envelopeKeys.has(key));
}

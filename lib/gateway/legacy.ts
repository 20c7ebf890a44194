import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { Protocol, type RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  type CallToolRequest,
  CallToolRequestSchema,
  CompleteRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@modelcontextprotocol/sdk/types.js";
import type { AgentIdentity } from "@/lib/agents/keys";
import { waitHooks } from "./approval-gate";
import { clientAsker, relayedResultSchema } from "./backend-requests";
import { type LoggingLevel, requestedLoggingLevel } from "./call-relay";
import { InFlightLeanCalls } from "./cancellation";
import { unwatchSessionLists, watchSessionLists } from "./list-changes";
import { correlationIdOf, gatewayAuthInfo } from "./context";
import { clientAddressOf, recordEdgeRefusal } from "./edge-refusals";
import type { GatewayEndpoint } from "./endpoints";
import { type EdgeRequest, type GatewayAnswer, type PlainAnswer, plainAnswer } from "./edge-request";
import { completeGateway } from "./completion";
import { getGatewayPrompt, listGatewayPrompts, listGatewayResources, listGatewayResourceTemplates, readGatewayResource } from "./definitions-server";
import { idempotencyKeyOf } from "./idempotency-key";
import { answerLeanCall, answerLeanList, leanCallOf, leanListOf } from "./lean-call";
import { jsonRpcError } from "./rpc-errors";
import { callGatewayTool, gatewayServerInfo, listGatewayTools, refuseMalformedParams } from "./virtual-server";

// 2025-era clients (initialize, Mcp-Session-Id sessions, SSE responses) are served by the v1 SDK's
// sessionful transport. A session belongs to the agent that opened it and, with a delegated access token,
// to the user it acted for (A4): every request is checked against both, so a session id replayed with
// another agent's credential, with another user's token of the same agent, or at another endpoint (./endpoints.ts),
// is refused (404, as for an unknown session, so ids cannot be probed) and the refusal audited.

const idleMs = 30 * 60 * 1000;
const maxSessions = 10_000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  agentId: string;
  /** "<issuer> <sub>" of the user the opening credential acted for; null when the agent acted for itself. */
  user: string | null;
  /** The endpoint it was opened at (./endpoints.ts; null: /mcp): a session serves only there. */
  endpoint: GatewayEndpoint | null;
  lastUsed: number;
  /** Its calls the lean path serves, so a notifications/cancelled reaches them too (./cancellation.ts). */
  leanCalls: InFlightLeanCalls;
  /** What the client asked to be relayed about its calls (./call-relay.ts, ./backend-requests.ts). */
  relays: SessionRelays;
}

interface SessionRelays {
  /** The log level the client set (logging/setLevel): backend log messages about its calls are relayed from there up. */
  level?: LoggingLevel;
  /** It declared elicitation or sampling at initialize: a backend's requests during its calls are relayed to it. */
  asks: boolean;
}

const sessions = new Map<string, Session>();

const userOf = (agent: AgentIdentity) => (agent.onBehalfOf ? `${agent.onBehalfOf.issuer} ${agent.onBehalfOf.subject}` : null);

type CallExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

function virtualServer(agent: AgentIdentity, endpoint: GatewayEndpoint | null, relays: SessionRelays): Server {
  const server = new Server(gatewayServerInfo, { capabilities: { tools: { listChanged: true }, resources: { listChanged: true }, prompts: { listChanged: true }, logging: {}, completions: {} } });
  // A GatewayRefusal goes out as it is: the SDK answers with its code and message. (An McpError would
  // put "MCP error -32602: " into the message, so the two eras would answer in different words.)
  server.setRequestHandler(ListToolsRequestSchema, (request) => listGatewayTools(agent, request.params?.cursor, endpoint));
  // Registered past the v1 Server's own override, which re-validates a tools/call result with the SDK's
  // schema: that drops fields it does not know and moves `_meta` first. The backend's result is relayed
  // as it came, as the lean path (./lean-call.ts) relays it. The request is still parsed with the schema.
  Protocol.prototype.setRequestHandler.call(server, CallToolRequestSchema, (request: CallToolRequest, extra: CallExtra) => {
    const ask = clientAsker(server.getClientCapabilities(), (method, params, signal) => extra.sendRequest({ method, params } as ServerRequest, relayedResultSchema(method), { signal }));
    const hooks = waitHooks(request.params._meta?.progressToken, (notification) => extra.sendNotification(notification), extra.signal, relays.level, ask);
    return callGatewayTool(agent, request.params.name, request.params.arguments ?? {}, correlationIdOf(extra.authInfo), hooks, endpoint, idempotencyKeyOf(request.params._meta));
  });
  // Resources and prompts of pinned, certified versions (./definitions-server.ts, decision 032).
  server.setRequestHandler(ListResourcesRequestSchema, (request) => listGatewayResources(agent, request.params?.cursor, endpoint));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, (request) => listGatewayResourceTemplates(agent, request.params?.cursor, endpoint));
  server.setRequestHandler(ReadResourceRequestSchema, (request, extra) => readGatewayResource(agent, request.params.uri, correlationIdOf(extra.authInfo), endpoint));
  server.setRequestHandler(ListPromptsRequestSchema, (request) => listGatewayPrompts(agent, request.params?.cursor, endpoint));
  server.setRequestHandler(GetPromptRequestSchema, (request, extra) => getGatewayPrompt(agent, request.params.name, request.params.arguments, correlationIdOf(extra.authInfo), endpoint));
  // Completion of a prompt's or resource template's arguments, checked like prompts/get and resources/read (./completion.ts).
  server.setRequestHandler(CompleteRequestSchema, (request, extra) => completeGateway(agent, request.params, correlationIdOf(extra.authInfo), endpoint));
  return server;
}

function sweepIdleSessions(now: number) {
  for (const [id, session] of sessions) {
    if (now - session.lastUsed > idleMs) {
      sessions.delete(id);
      void session.transport.close();
    }
  }
}

async function openSession(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null): Promise<Response> {
  sweepIdleSessions(Date.now());
  if (sessions.size >= maxSessions) return jsonRpcError(503, -32000, "The gateway has too many open sessions; retry shortly.");
  const capabilities = (body as { params?: { capabilities?: { elicitation?: unknown; sampling?: unknown } } }).params?.capabilities;
  const relays: SessionRelays = { asks: Boolean(capabilities?.elicitation || capabilities?.sampling) };
  const server = virtualServer(agent, endpoint, relays);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: randomUUID,
    onsessioninitialized: (id) => {
      sessions.set(id, { transport, agentId: agent.agentId, user: userOf(agent), endpoint, lastUsed: Date.now(), leanCalls: new InFlightLeanCalls(), relays });
      // Told when its lists change (./list-changes.ts), until the session closes.
      watchSessionLists(id, agent, endpoint, server);
      server.onclose = () => unwatchSessionLists(id);
    },
    onsessionclosed: (id) => void sessions.delete(id),
  });
  await server.connect(transport);
  return transport.handleRequest(request.fetchRequest(), { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId, endpoint) });
}

// What the SDK transport checks before it serves a POST; a request it would refuse takes its path, so the
// refusal is the SDK's own.
function servesLean(request: EdgeRequest): boolean {
  const accept = request.headers.get("accept");
  const version = request.headers.get("mcp-protocol-version");
  return request.method === "POST" && !!accept?.includes("application/json") && accept.includes("text/event-stream") && (version === null || SUPPORTED_PROTOCOL_VERSIONS.includes(version));
}

/** The lean path's answer (./lean-call.ts), or null where the SDK path serves the message; "" for a call the client cancelled (no answer, as the SDK server sends none). */
async function leanAnswer(agent: AgentIdentity, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null, leanCalls: InFlightLeanCalls): Promise<string | null> {
  const call = leanCallOf(body);
  if (call) {
    const signal = leanCalls.start(call.id);
    try {
      const answer = await answerLeanCall(agent, call, correlationId, "legacy", endpoint, signal);
      return answer !== null && signal.aborted ? "" : answer;
    } finally {
      leanCalls.end(call.id, signal);
    }
  }
  const list = leanListOf(body);
  return list ? answerLeanList(agent, list, endpoint) : null;
}

/** One answer as the SDK transport streams it: a single `message` event, with the same headers. */
function eventStreamAnswer(message: string, sessionId: string): PlainAnswer {
  const headers = { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no", "mcp-session-id": sessionId };
  return plainAnswer(200, headers, message === "" ? "" : `event: message\ndata: ${message}\n\n`);
}

/** Serves one 2025-era request: initialize opens a session; later requests must name it. */
export async function handleLegacyRequest(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<GatewayAnswer> {
  const sessionId = request.headers.get("mcp-session-id");
  if (!sessionId) {
    if (request.method === "POST" && (body as { method?: unknown } | undefined)?.method === "initialize") {
      return openSession(agent, request, body, correlationId, endpoint);
    }
    return jsonRpcError(400, -32600, "Start with initialize, then send the Mcp-Session-Id header it returns.");
  }
  const session = sessions.get(sessionId);
  if (!session || session.agentId !== agent.agentId || session.user !== userOf(agent) || session.endpoint?.path !== endpoint?.path) {
    const response = jsonRpcError(404, -32001, "Session not found: initialize again.");
    if (session) recordEdgeRefusal({ status: 404, reason: "foreign_session", clientAddress: clientAddressOf(request), agent });
    return response;
  }
  session.lastUsed = Date.now();
  const malformed = refuseMalformedParams(agent, body, correlationId);
  if (malformed) return malformed;
  // A cancel for a lean call aborts it here; the SDK server still gets the notification (and acknowledges it).
  session.leanCalls.cancel(body);
  session.relays.level = requestedLoggingLevel(body) ?? session.relays.level;
  // A session that asked for log messages, or can answer a backend's requests, has its calls on the SDK path, which relays them.
  const answer = servesLean(request) && session.relays.level === undefined && !session.relays.asks ? await leanAnswer(agent, body, correlationId, endpoint, session.leanCalls) : null;
  if (answer !== null) return eventStreamAnswer(answer, sessionId);
  return session.transport.handleRequest(request.fetchRequest(), { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId, endpoint) });
}

/** Closes every open session (shutdown, tests). */
export async function closeLegacySessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.all(open.map((session) => session.transport.close()));
}

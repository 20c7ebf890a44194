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
import { singleton } from "@/lib/runtime/singleton";
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
import { forwardedFromElsewhere, forwardSessionMessage, isForwardedKind, readKeptMessage } from "./session-messages";
import { deleteGatewaySession, findGatewaySession, gatewaySessionExists, isSessionId, sessionIdleMs, sessionOpeningOf, type StoredSession, storeGatewaySession, storeGatewaySessionLevel, touchEveryMs, touchGatewaySession } from "./session-store";
import { callGatewayTool, gatewayServerInfo, listGatewayTools, refuseMalformedParams } from "./virtual-server";

// 2025-era clients (initialize, Mcp-Session-Id sessions, SSE responses) are served by the v1 SDK's
// sessionful transport. A session belongs to the agent that opened it and, with a delegated access token,
// to the user it acted for (A4): every request is checked against both, so a session id replayed with
// another agent's credential, with another user's token of the same agent, or at another endpoint (./endpoints.ts),
// is refused (404, as for an unknown session, so ids cannot be probed) and the refusal audited.
// Sessions are shared by every instance (docs/decisions/038-sessions-on-any-replica.md): initialize stores the session (./session-store.ts)
// before the client learns its id; an instance asked for a session it does not hold looks it up (one query),
// checks the binding, and re-creates it by feeding the stored initialize through a fresh SDK transport that
// carries the same id. A session held in memory costs no query. DELETE deletes the row, and every instance
// drops its copy when the row's deletion is notified (./invalidation.ts carries the channel).

const maxSessions = 10_000;

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  agentId: string;
  /** "<issuer> <sub>" of the user the opening credential acted for; null when the agent acted for itself. */
  user: string | null;
  /** The endpoint it was opened at (./endpoints.ts; null: /mcp): a session serves only there. */
  endpoint: GatewayEndpoint | null;
  lastUsed: number;
  /** When its row's last_used_at was last written (at most once a minute, ./session-store.ts). */
  lastStored: number;
  /** The listener generation in which its row was known to exist: a copy from an older one is checked once more. */
  generation: number;
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

interface LegacySessions {
  held: Map<string, Session>;
  /** Re-creations under way, so concurrent requests for one session share one. */
  reviving: Map<string, Promise<Session>>;
  /** Bumped whenever the sessions channel may have missed a deletion (its connection went or came back). */
  generation: number;
}

// A singleton, so the wiring's notification handler and the edge reach the same sessions.
const state = singleton<LegacySessions>("legacySessions", () => ({ held: new Map(), reviving: new Map(), generation: 0 }));
const sessions = state.held;

const userOf = (agent: AgentIdentity) => (agent.onBehalfOf ? `${agent.onBehalfOf.issuer} ${agent.onBehalfOf.subject}` : null);
const asksFor = (capabilities: { elicitation?: unknown; sampling?: unknown } | undefined) => Boolean(capabilities?.elicitation || capabilities?.sampling);

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

// A memory copy unused this long is dropped; the row stays until the idle job deletes it (deleteIdleGatewaySessions):
// the session may be in use on another instance.
function sweepIdleSessions(now: number) {
  for (const [id, session] of sessions) {
    if (now - session.lastUsed > sessionIdleMs) drop(id, session);
  }
}

function drop(id: string, session: Session): void {
  if (sessions.get(id) === session) sessions.delete(id);
  void session.transport.close();
}

/** Keeps a session's copy in this instance, watching its lists (./list-changes.ts) until it closes. */
function hold(id: string, transport: WebStandardStreamableHTTPServerTransport, server: Server, agent: AgentIdentity, endpoint: GatewayEndpoint | null, relays: SessionRelays): Session {
  const now = Date.now();
  const session: Session = { transport, agentId: agent.agentId, user: userOf(agent), endpoint, lastUsed: now, lastStored: now, generation: state.generation, leanCalls: new InFlightLeanCalls(), relays };
  sessions.set(id, session);
  watchSessionLists(id, agent, endpoint, server);
  server.onclose = () => {
    unwatchSessionLists(id);
    if (sessions.get(id) === session) sessions.delete(id);
  };
  return session;
}

const tooManySessions = () => jsonRpcError(503, -32000, "The gateway has too many open sessions; retry shortly.");
const sessionNotFound = () => jsonRpcError(404, -32001, "Session not found: initialize again.");

function foreignSession(request: EdgeRequest, agent: AgentIdentity): Response {
  recordEdgeRefusal({ status: 404, reason: "foreign_session", clientAddress: clientAddressOf(request), agent });
  return sessionNotFound();
}

async function openSession(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null): Promise<Response> {
  sweepIdleSessions(Date.now());
  if (sessions.size >= maxSessions) return tooManySessions();
  const opening = sessionOpeningOf(body);
  if ("refusal" in opening) {
    recordEdgeRefusal({ status: 400, reason: "malformed_body", clientAddress: clientAddressOf(request), agent, sample: opening.refusal });
    return jsonRpcError(400, -32602, opening.refusal);
  }
  const id = randomUUID();
  const relays: SessionRelays = { asks: asksFor(opening.capabilities) };
  const server = virtualServer(agent, endpoint, relays);
  let stored: { error?: unknown } | undefined;
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: () => id,
    // Stored before the client learns the id, so its next request may go to any instance.
    onsessioninitialized: async () => {
      stored = await storeGatewaySession({ id, agentId: agent.agentId, user: userOf(agent), endpointPath: endpoint?.path ?? null, ...opening }).then(
        () => ({}),
        (error: unknown) => ({ error }),
      );
    },
    onsessionclosed: (closed) => void sessions.delete(closed),
  });
  await server.connect(transport);
  const response = await transport.handleRequest(request.fetchRequest(), { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId, endpoint) });
  if (stored?.error !== undefined) {
    await transport.close();
    throw stored.error;
  }
  if (stored) hold(id, transport, server, agent, endpoint, relays);
  return response;
}

/**
 * A session this instance does not hold, from its row: re-created when the request is the session's own; DELETE
 * ends it without re-creating it. A malformed id is not looked up.
 */
async function storedSession(id: string, agent: AgentIdentity, request: EdgeRequest, correlationId: string, endpoint: GatewayEndpoint | null): Promise<Session | Response> {
  if (!isSessionId(id)) return sessionNotFound();
  const row = await findGatewaySession(id);
  if (!row) return sessionNotFound();
  if (row.agentId !== agent.agentId || row.user !== userOf(agent) || row.endpointPath !== (endpoint?.path ?? null)) return foreignSession(request, agent);
  if (request.method === "DELETE") {
    await deleteGatewaySession(id);
    return new Response(null, { status: 200 });
  }
  const held = sessions.get(id);
  if (held) return held;
  let reviving = state.reviving.get(id);
  if (!reviving) {
    sweepIdleSessions(Date.now());
    if (sessions.size >= maxSessions) return tooManySessions();
    reviving = revive(row, agent, request, correlationId, endpoint).finally(() => state.reviving.delete(id));
    state.reviving.set(id, reviving);
  }
  return reviving;
}

/**
 * Re-creates a stored session through the SDK's public surface: a fresh server and transport whose session id is
 * the stored one, fed the initialize the client opened it with and then notifications/initialized, as the client
 * sent them; the relays (log level, asks) are restored from the row.
 */
async function revive(row: StoredSession, agent: AgentIdentity, request: EdgeRequest, correlationId: string, endpoint: GatewayEndpoint | null): Promise<Session> {
  const relays: SessionRelays = row.logLevel ? { level: row.logLevel, asks: asksFor(row.capabilities) } : { asks: asksFor(row.capabilities) };
  const server = virtualServer(agent, endpoint, relays);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: () => row.id, onsessionclosed: (closed) => void sessions.delete(closed) });
  await server.connect(transport);
  const authInfo = gatewayAuthInfo(agent, correlationId, endpoint);
  const headers = { accept: "application/json, text/event-stream", "content-type": "application/json" };
  const initialize = { jsonrpc: "2.0", id: 0, method: "initialize", params: { protocolVersion: row.protocolVersion, capabilities: row.capabilities, clientInfo: row.clientInfo } };
  const opened = await transport.handleRequest(new Request(request.url, { method: "POST", headers }), { parsedBody: initialize, authInfo });
  const answer = await opened.text();
  const initialized = await transport.handleRequest(new Request(request.url, { method: "POST", headers: { ...headers, "mcp-session-id": row.id, "mcp-protocol-version": row.protocolVersion } }), {
    parsedBody: { jsonrpc: "2.0", method: "notifications/initialized" },
    authInfo,
  });
  if (opened.status !== 200 || !answer.includes('"result"') || initialized.status !== 202) {
    await transport.close();
    throw new Error(`Re-creating gateway session ${row.id} failed (${opened.status}, ${initialized.status}).`);
  }
  return hold(row.id, transport, server, agent, endpoint, relays);
}

async function endSession(id: string, session: Session): Promise<Response> {
  await deleteGatewaySession(id);
  drop(id, session);
  return new Response(null, { status: 200 });
}

/** A copy held since the sessions channel may have missed its deletion: kept if its row is still there. */
async function stillStored(id: string, session: Session): Promise<Session | undefined> {
  const generation = state.generation;
  if (await gatewaySessionExists(id)) {
    session.generation = generation;
    return session;
  }
  drop(id, session);
  return undefined;
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
  let session = sessions.get(sessionId);
  if (session && session.generation !== state.generation) session = await stillStored(sessionId, session);
  if (!session) {
    const stored = await storedSession(sessionId, agent, request, correlationId, endpoint);
    if (stored instanceof Response) return stored;
    session = stored;
  }
  if (session.agentId !== agent.agentId || session.user !== userOf(agent) || session.endpoint?.path !== endpoint?.path) return foreignSession(request, agent);
  const now = Date.now();
  session.lastUsed = now;
  if (now - session.lastStored >= touchEveryMs) {
    session.lastStored = now;
    touchGatewaySession(sessionId);
  }
  // Ended everywhere: the row goes first, and its notification drops every other instance's copy (and this one's,
  // which may come first: so the copy is closed here rather than handed the DELETE).
  if (request.method === "DELETE") return endSession(sessionId, session);
  const malformed = refuseMalformedParams(agent, body, correlationId);
  if (malformed) return malformed;
  // A cancel, or an answer to a request the gateway relayed, may concern a call another instance runs.
  if (isForwardedKind(body)) forwardSessionMessage(sessionId, body);
  // A cancel for a lean call aborts it here; the SDK server still gets the notification (and acknowledges it).
  session.leanCalls.cancel(body);
  const level = requestedLoggingLevel(body);
  if (level !== undefined && level !== session.relays.level) {
    // Stored first, so the session's next request keeps it on whichever instance it lands.
    await storeGatewaySessionLevel(sessionId, level);
    session.relays.level = level;
  }
  // A session that asked for log messages, or can answer a backend's requests, has its calls on the SDK path, which relays them.
  const answer = servesLean(request) && session.relays.level === undefined && !session.relays.asks ? await leanAnswer(agent, body, correlationId, endpoint, session.leanCalls) : null;
  if (answer !== null) return eventStreamAnswer(answer, sessionId);
  return session.transport.handleRequest(request.fetchRequest(), { parsedBody: body, authInfo: gatewayAuthInfo(agent, correlationId, endpoint) });
}

/** Another instance (or this one) deleted the session: its copy here, if any, is dropped. Wired by lib/runtime/gateway-wiring.ts. */
export function dropLegacySession(id: string): void {
  const session = sessions.get(id);
  if (session) drop(id, session);
}

/**
 * A client's cancel or answer forwarded by the instance it reached (./session-messages.ts): fed to this instance's
 * copy of the session, if it holds one, as the client's own POST would have been. Wired by lib/runtime/gateway-wiring.ts.
 */
export function deliverForwardedSessionMessage(payload: string): void {
  const forwarded = forwardedFromElsewhere(payload);
  // Only an instance holding the session reads a kept message.
  if (!forwarded || !sessions.has(forwarded.sessionId)) return;
  const { sessionId } = forwarded;
  if ("message" in forwarded) return feedForwarded(sessionId, forwarded.message);
  readKeptMessage(sessionId, forwarded.keptId).then(
    (message) => message && feedForwarded(sessionId, message),
    (error: unknown) => console.error("[toolgate] reading a forwarded session message failed:", error instanceof Error ? error.message : error),
  );
}

function feedForwarded(sessionId: string, message: Record<string, unknown>): void {
  const session = sessions.get(sessionId);
  if (!session) return;
  session.leanCalls.cancel(message);
  const headers = { accept: "application/json, text/event-stream", "content-type": "application/json", "mcp-session-id": sessionId };
  session.transport
    .handleRequest(new Request(forwardedUrl, { method: "POST", headers }), { parsedBody: message })
    .catch((error: unknown) => console.error("[toolgate] delivering a forwarded session message failed:", error instanceof Error ? error.message : error));
}

/** The URL of the request a forwarded message is fed through (the SDK transport needs one; nothing reads it). */
const forwardedUrl = "http://toolgate.internal/mcp";

/** The sessions channel may have missed deletions: every copy checks its row once more before it serves again. */
export function recheckLegacySessions(): void {
  state.generation++;
}

/** Closes every session held in this instance (shutdown, tests); their rows stay, for other instances to go on. */
export async function closeLegacySessions(): Promise<void> {
  const open = [...sessions.values()];
  sessions.clear();
  await Promise.all(open.map((session) => session.transport.close()));
}

/** For tests: this instance forgets its sessions, as if another instance served the next request. Rows stay. */
export async function forgetLegacySessionsForTests(): Promise<void> {
  await closeLegacySessions();
}

/** For tests: whether this instance holds the session in memory. */
export function holdsLegacySession(id: string): boolean {
  return sessions.has(id);
}

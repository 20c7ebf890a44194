import { classifyInboundRequest } from "@modelcontextprotocol/server";
import type { AgentIdentity } from "@/lib/agents/keys";
import { isDatabaseUnavailable } from "@/lib/db/availability";
import { correlationIdFrom } from "@/lib/net/correlation-id";
import { isOwnHost, isOwnOrigin } from "@/lib/net/public-origin";
import { authenticateEdge } from "./credentials";
import { clientAddressOf, type EdgeRefusalReason, recordEdgeRefusal } from "./edge-refusals";
import { asResponse, type EdgeRequest, fromFetch, type GatewayAnswer } from "./edge-request";
import { handleLegacyRequest } from "./legacy";
import { handleModernRequest } from "./modern";
import { endpointRefusal } from "./endpoint-view";
import { endpointOf, type GatewayEndpoint } from "./endpoints";
import { toolsModeAsked, withToolsMode } from "./discovery-tools";
import { jsonRpcError } from "./rpc-errors";
import { scopeRefusal } from "./scope-check";

// The edge of the gateway's MCP endpoints (/mcp, and one per catalog entry and bundle, ./endpoints.ts):
// DNS-rebinding checks, the agent's key, the endpoint the path names, body limits, then the request goes to the legacy (2025-era, sessionful) or modern (2026-07-28) leg. Every answer
// the edge gives itself is a JSON-RPC error with its HTTP status, and is counted and audited
// (./edge-refusals.ts); nothing here answers with internals.

export const maxBodyBytes = 4 * 1024 * 1024;
/** What a client is told to wait before retrying while the database is unavailable. */
export const databaseRetryAfterSeconds = 5;

export { protectedResourceMetadataUrl } from "./credentials";

// A browser page on another site must not reach the gateway through a name that resolves to it. Which
// hosts and origins are this app's own is decided in one place (lib/net/public-origin.ts), for the
// browser side too.
function rebindingRefusal(request: EdgeRequest): Response | null {
  const host = request.headers.get("host");
  if (!isOwnHost(host, request.url)) {
    return jsonRpcError(421, -32000, `Host ${host || "(none)"} is not served by this gateway.`);
  }
  const origin = request.headers.get("origin");
  if (origin && !isOwnOrigin(origin, request.url)) {
    return jsonRpcError(403, -32000, `Origin ${origin} may not call this gateway.`);
  }
  return null;
}

type Parsed = { body: unknown } | { refusal: Response; reason: EdgeRefusalReason };

async function readJsonBody(request: EdgeRequest): Promise<Parsed> {
  if (request.method !== "POST") return { body: undefined };
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
    return { refusal: jsonRpcError(415, -32700, "Send JSON-RPC as Content-Type: application/json."), reason: "unsupported_media_type" };
  }
  const text = await request.text(maxBodyBytes);
  if (text === null) {
    return { refusal: jsonRpcError(413, -32600, `The request body exceeds ${maxBodyBytes / 1024 / 1024} MB.`), reason: "body_too_large" };
  }
  try {
    const body: unknown = JSON.parse(text);
    if (Array.isArray(body)) {
      return { refusal: jsonRpcError(400, -32600, "JSON-RPC batches are not supported: send one message per request."), reason: "malformed_body" };
    }
    return { body };
  } catch {
    return { refusal: jsonRpcError(400, -32700, "Parse error: the body is not valid JSON."), reason: "malformed_body" };
  }
}

// The 2026-07-28 revision has no sessions, so a session header marks a 2025-era request at once. Other
// requests are classified as the SDK's entry classifies them (its isLegacyRequest runs this very
// function), from the headers and the body already parsed, so no Fetch Request is made for it.
function isLegacy(request: EdgeRequest, body: unknown): boolean {
  if (request.headers.has("mcp-session-id")) return true;
  const header = (name: string) => request.headers.get(name) ?? undefined;
  const inbound = { httpMethod: request.method.toUpperCase(), protocolVersionHeader: header("mcp-protocol-version"), mcpMethodHeader: header("mcp-method"), mcpNameHeader: header("mcp-name") };
  return classifyInboundRequest({ ...inbound, ...(body !== undefined && { body }) }).kind === "legacy";
}

async function route(agent: AgentIdentity, request: EdgeRequest, body: unknown, correlationId: string, endpoint: GatewayEndpoint | null): Promise<GatewayAnswer> {
  return isLegacy(request, body) ? handleLegacyRequest(agent, request, body, correlationId, endpoint) : handleModernRequest(agent, request, body, correlationId, endpoint);
}

type Addressed = { endpoint: GatewayEndpoint | null } | { refusal: Response; reason: EdgeRefusalReason; sample: string };

// The endpoint the path names, once the agent is known: a path that names none is a 400, an entry or bundle
// that does not exist or that the agent may not use a 404 (the same words for both; decision 033).
async function addressed(agent: AgentIdentity, request: EdgeRequest): Promise<Addressed> {
  const parsed = endpointOf(request.url);
  if ("refusal" in parsed) return { refusal: jsonRpcError(400, -32600, parsed.refusal), reason: "malformed_endpoint", sample: parsed.refusal };
  const { endpoint } = parsed;
  const unavailable = endpoint && (await endpointRefusal(agent, endpoint));
  if (unavailable) return { refusal: jsonRpcError(404, -32600, unavailable), reason: "unavailable_endpoint", sample: endpoint.path };
  return { endpoint };
}


/** The answer to a request the edge could not serve for a fault of its own; names no internals. */
export function internalErrorResponse(): Response {
  return jsonRpcError(500, -32603, "Internal error: the gateway could not answer this request.");
}

function refused(request: EdgeRequest, response: Response, reason: EdgeRefusalReason, agent: AgentIdentity | null, sample?: string): Response {
  recordEdgeRefusal({ status: response.status, reason, clientAddress: clientAddressOf(request), agent, sample });
  return response;
}

function rebindingReason(request: EdgeRequest, response: Response): [EdgeRefusalReason, string] {
  return response.status === 421 ? ["host_not_served", `Host: ${request.headers.get("host") ?? ""}`] : ["origin_not_allowed", `Origin: ${request.headers.get("origin") ?? ""}`];
}

// A database that is down or restarting is worth retrying shortly, and the client is told so; any
// other failure is ours, logged here and answered without its details.
function failed(request: EdgeRequest, error: unknown, agent: AgentIdentity | null): Response {
  if (isDatabaseUnavailable(error)) {
    const response = jsonRpcError(503, -32000, `The gateway's database is unavailable; retry in ${databaseRetryAfterSeconds} s.`, {
      "Retry-After": String(databaseRetryAfterSeconds),
    });
    return refused(request, response, "database_unavailable", agent);
  }
  console.error("[toolgate] gateway request failed:", error);
  return refused(request, internalErrorResponse(), "internal_error", agent);
}

/** Serves one HTTP request to the gateway endpoint, as a route handler (Fetch API in and out). */
export async function serveGatewayRequest(request: Request): Promise<Response> {
  return asResponse(await serveGateway(fromFetch(request)));
}

/** Serves one HTTP request to the gateway endpoint (the front server calls this directly). */
export async function serveGateway(request: EdgeRequest): Promise<GatewayAnswer> {
  let agent: AgentIdentity | null = null;
  try {
    const rebinding = rebindingRefusal(request);
    if (rebinding) {
      const [reason, sample] = rebindingReason(request, rebinding);
      return refused(request, rebinding, reason, null, sample);
    }
    const credential = await authenticateEdge(request);
    if ("refusal" in credential) return refused(request, credential.refusal, credential.reason, null, credential.sample);
    agent = credential.agent;
    const target = await addressed(agent, request);
    if ("refusal" in target) return refused(request, target.refusal, target.reason, agent, target.sample);
    // ?tools=search or ?tools=all: what this request's tools/list shows (./discovery-tools.ts).
    const mode = toolsModeAsked(request.url);
    if ("refusal" in mode) return refused(request, jsonRpcError(400, -32600, mode.refusal), "malformed_tools_mode", agent, mode.refusal);
    if (mode.mode) agent = withToolsMode(agent, mode.mode);
    const parsed = await readJsonBody(request);
    if ("refusal" in parsed) return refused(request, parsed.refusal, parsed.reason, agent);
    const correlationId = correlationIdFrom(request.headers);
    const lacking = await scopeRefusal(agent, request, parsed.body, correlationId, target.endpoint);
    if (lacking) return lacking;
    return await route(agent, request, parsed.body, correlationId, target.endpoint);
  } catch (error) {
    return failed(request, error, agent);
  }
}

import { randomUUID } from "node:crypto";
import { isLegacyRequest } from "@modelcontextprotocol/server";
import { type AgentIdentity, bearerToken } from "@/lib/agents/keys";
import { isOwnHost, isOwnOrigin, publicBase } from "@/lib/net/public-origin";
import { agentForKey } from "./agent-cache";
import { handleLegacyRequest } from "./legacy";
import { handleModernRequest } from "./modern";
import { jsonRpcError } from "./rpc-errors";

// The edge of the gateway's one MCP endpoint: DNS-rebinding checks, the agent's key, body limits,
// then the request goes to the legacy (2025-era, sessionful) or modern (2026-07-28) leg.

export const maxBodyBytes = 4 * 1024 * 1024;

/** RFC 9728 Protected Resource Metadata for the endpoint. */
export function protectedResourceMetadataUrl(request: Request): string {
  return new URL("/.well-known/oauth-protected-resource/mcp", publicBase(request.url)).toString();
}

// A browser page on another site must not reach the gateway through a name that resolves to it. Which
// hosts and origins are this app's own is decided in one place (lib/net/public-origin.ts), for the
// browser side too.
function rebindingRefusal(request: Request): Response | null {
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

function unauthenticated(request: Request, presented: boolean): Response {
  const challenge = `Bearer resource_metadata="${protectedResourceMetadataUrl(request)}"${presented ? ', error="invalid_token"' : ""}`;
  const message = presented ? "The agent key is invalid, revoked or expired." : "Send an agent API key: Authorization: Bearer <key>.";
  return jsonRpcError(401, -32001, message, { "WWW-Authenticate": challenge });
}

type Parsed = { body: unknown } | { refusal: Response };

async function readJsonBody(request: Request): Promise<Parsed> {
  if (request.method !== "POST") return { body: undefined };
  if (!/^application\/json\b/i.test(request.headers.get("content-type") ?? "")) {
    return { refusal: jsonRpcError(415, -32700, "Send JSON-RPC as Content-Type: application/json.") };
  }
  const declared = Number(request.headers.get("content-length") ?? 0);
  const text = declared > maxBodyBytes ? null : await request.text();
  if (text === null || Buffer.byteLength(text) > maxBodyBytes) {
    return { refusal: jsonRpcError(413, -32600, `The request body exceeds ${maxBodyBytes / 1024 / 1024} MB.`) };
  }
  try {
    const body: unknown = JSON.parse(text);
    if (Array.isArray(body)) return { refusal: jsonRpcError(400, -32600, "JSON-RPC batches are not supported: send one message per request.") };
    return { body };
  } catch {
    return { refusal: jsonRpcError(400, -32700, "Parse error: the body is not valid JSON.") };
  }
}

async function route(agent: AgentIdentity, request: Request, body: unknown, correlationId: string): Promise<Response> {
  // The 2026-07-28 revision has no sessions, so a session header marks a 2025-era request at once; the
  // SDK's fuller check (given the body already parsed) is left for requests without one.
  if (request.headers.has("mcp-session-id") || (await isLegacyRequest(request, body))) return handleLegacyRequest(agent, request, body, correlationId);
  return handleModernRequest(agent, request, body, correlationId);
}

/** The caller's X-Correlation-Id, so a host can find its calls in the audit trail, else a new one. */
function correlationIdFor(request: Request): string {
  return request.headers.get("x-correlation-id")?.slice(0, 200) || randomUUID();
}

/** Serves one HTTP request to the gateway endpoint, as a route handler (Fetch API in and out). */
export async function serveGatewayRequest(request: Request): Promise<Response> {
  const refused = rebindingRefusal(request);
  if (refused) return refused;
  const token = bearerToken(request.headers.get("authorization"));
  const agent = token ? await agentForKey(token) : null;
  if (!agent) return unauthenticated(request, token !== null);
  const parsed = await readJsonBody(request);
  if ("refusal" in parsed) return parsed.refusal;
  return route(agent, request, parsed.body, correlationIdFor(request));
}

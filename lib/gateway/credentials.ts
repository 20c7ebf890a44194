import { type AgentIdentity, bearerToken } from "@/lib/agents/keys";
import { credentialInQuery, looksLikeJwt } from "@/lib/identity/access-token";
import { bearerChallenge } from "@/lib/identity/challenge";
import { toolgateResource } from "@/lib/identity/resource";
import { forgetTokenIdentities, identityForAccessToken } from "@/lib/identity/token-identity";
import { publicBase } from "@/lib/net/public-origin";
import { agentForKey } from "./agent-cache";
import type { EdgeRefusalReason } from "./edge-refusals";
import type { EdgeRequest } from "./edge-request";
import { jsonRpcError } from "./rpc-errors";

// Who is calling, at the gateway's edge: an `Authorization: Bearer` header carrying either an agent API
// key or an access token from a trusted issuer (lib/identity). A token is never accepted in the URL
// (RFC 6750 §2.3 is not supported: URLs end up in logs). Every refusal carries an RFC 6750 challenge
// pointing at the protected resource metadata, so a client can find the authorization servers.

/** RFC 9728 Protected Resource Metadata for the endpoint. */
export function protectedResourceMetadataUrl(request: EdgeRequest): string {
  return new URL("/.well-known/oauth-protected-resource/mcp", publicBase(request.url)).toString();
}

/** Drops cached access-token outcomes and issuers; lib/runtime/gateway-wiring.ts calls it on every change. */
export function forgetAccessTokens(): void {
  forgetTokenIdentities();
}

export type EdgeCredential = { agent: AgentIdentity } | { refusal: Response; reason: EdgeRefusalReason; sample?: string };

function refusal(request: EdgeRequest, status: number, reason: EdgeRefusalReason, message: string, error?: string, description?: string, sample?: string): EdgeCredential {
  const challenge = bearerChallenge({ resource_metadata: protectedResourceMetadataUrl(request), error, error_description: description });
  return { refusal: jsonRpcError(status, -32001, message, { "WWW-Authenticate": challenge }), reason, sample };
}

/** The agent the request's credential belongs to, or the refusal to answer with. */
export async function authenticateEdge(request: EdgeRequest): Promise<EdgeCredential> {
  const inQuery = credentialInQuery(request.url);
  if (inQuery) {
    const message = `Credentials are not accepted in the URL (${inQuery}=…): send them as Authorization: Bearer <token>.`;
    return refusal(request, 400, "credential_in_query", message, "invalid_request", message);
  }
  const header = request.headers.get("authorization");
  if (header === null || header.trim() === "") return refusal(request, 401, "missing_key", "Send an agent API key or access token: Authorization: Bearer <credential>.");
  const token = bearerToken(header);
  if (!token) {
    const message = "The Authorization header must be Bearer followed by one API key or access token.";
    return refusal(request, 401, "malformed_authorization", message, "invalid_request", message);
  }
  if (!looksLikeJwt(token)) {
    const agent = await agentForKey(token);
    return agent ? { agent } : refusal(request, 401, "invalid_key", "The agent key is invalid, revoked or expired.", "invalid_token");
  }
  const outcome = await identityForAccessToken(token, toolgateResource(request.url));
  if (outcome.ok) return { agent: outcome.identity };
  if (outcome.status === 403) return { refusal: jsonRpcError(403, -32001, outcome.description), reason: outcome.reason === "agent_disabled" ? "agent_disabled" : "unbound_client", sample: outcome.description };
  return refusal(request, 401, "invalid_token", `The access token was refused: ${outcome.description}`, "invalid_token", outcome.description, outcome.reason);
}

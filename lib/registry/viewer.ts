import { type AgentIdentity, authenticateAgentKey, bearerToken } from "@/lib/agents/keys";
import { activeGrants } from "@/lib/agents/grants";
import { ForbiddenError, UnauthenticatedError } from "@/lib/errors";
import { credentialInQuery, looksLikeJwt } from "@/lib/identity/access-token";
import { bearerChallenge, insufficientScopeChallenge, missingScopes } from "@/lib/identity/challenge";
import { toolgateResource } from "@/lib/identity/resource";
import { identityForAccessToken } from "@/lib/identity/token-identity";
import { getPolicy } from "@/lib/settings/policy";
import { registryRequestUrl } from "./request-url";

// Who is reading the registry. An agent (by its API key) sees what is certified and promoted to its
// environment, and with granted=true only the servers it holds an active grant for. Without a key the
// registry answers only when an administrator turned on anonymous read; then it shows every certified
// version, whatever the environment. A key that is sent but not valid (unknown, revoked, expired, its
// agent disabled) is refused even then: the caller meant to be an agent and must learn its key failed.
// An access token from a trusted issuer works as the key of the agent its client is bound to, for the
// same resource as the gateway's (lib/identity), and needs the scope tools:read.

export type RegistryViewer =
  | { kind: "anonymous" }
  | { kind: "agent"; agent: AgentIdentity; /** null: every server; else only these (granted=true). */ serverIds: string[] | null };

/** 401 with an RFC 6750 challenge for the WWW-Authenticate header. */
export class RegistryAuthError extends UnauthenticatedError {
  constructor(
    message: string,
    readonly challenge: string,
  ) {
    super(message);
  }
}

/** 403 for an access token: without tools:read (with the step-up challenge), or of a client bound to no agent. */
export class RegistryForbiddenError extends ForbiddenError {
  constructor(
    message: string,
    readonly challenge?: string,
  ) {
    super(message);
  }
}

const realm = 'Bearer realm="toolgate-registry"';

async function agentOf(token: string, requestUrl: string | undefined): Promise<AgentIdentity> {
  if (!looksLikeJwt(token)) {
    const agent = await authenticateAgentKey(token);
    if (agent) return agent;
    throw new RegistryAuthError("The agent key is not valid: it is unknown, revoked or expired, or its agent is disabled.", `${realm}, error="invalid_token"`);
  }
  // Without NEXTAUTH_URL or the request, no resource is known and every token fails its audience check.
  const outcome = await identityForAccessToken(token, toolgateResource(requestUrl ?? "http://toolgate.invalid"));
  if (!outcome.ok) {
    if (outcome.status === 403) throw new RegistryForbiddenError(outcome.description);
    throw new RegistryAuthError(`The access token was refused: ${outcome.description}`, bearerChallenge({ realm: "toolgate-registry", error: "invalid_token", error_description: outcome.description }));
  }
  const missing = missingScopes(outcome.identity.scopes, ["tools:read"]);
  if (missing.length) {
    throw new RegistryForbiddenError("The access token lacks the scope tools:read that reading the registry needs.", insufficientScopeChallenge(missing, { realm: "toolgate-registry" }));
  }
  return outcome.identity;
}

export async function registryViewer(authorization: string | null, grantedOnly: boolean, requestUrl = registryRequestUrl()): Promise<RegistryViewer> {
  const inQuery = requestUrl === undefined ? undefined : credentialInQuery(requestUrl);
  if (inQuery) {
    const message = `Credentials are not accepted in the URL (${inQuery}=…): send them as Authorization: Bearer <credential>.`;
    throw new RegistryAuthError(message, bearerChallenge({ realm: "toolgate-registry", error: "invalid_request", error_description: message }));
  }
  if (authorization !== null && authorization.trim() !== "") {
    const token = bearerToken(authorization);
    if (!token) throw new RegistryAuthError("Send the agent key or access token as Authorization: Bearer <credential>.", `${realm}, error="invalid_request"`);
    const agent = await agentOf(token, requestUrl);
    const serverIds = grantedOnly ? [...new Set((await activeGrants(agent.agentId)).map((grant) => grant.serverId))] : null;
    return { kind: "agent", agent, serverIds };
  }
  if (grantedOnly) throw new RegistryAuthError("granted=true lists what an agent is granted: send its key as Authorization: Bearer <key>.", realm);
  if (!(await getPolicy("registry.anonymousRead"))) {
    throw new RegistryAuthError("This registry needs an agent key: send it as Authorization: Bearer <key>.", realm);
  }
  return { kind: "anonymous" };
}

import { type AgentIdentity, authenticateAgentKey, bearerToken } from "@/lib/agents/keys";
import { activeGrants } from "@/lib/agents/grants";
import { UnauthenticatedError } from "@/lib/errors";
import { getPolicy } from "@/lib/settings/policy";

// Who is reading the registry. An agent (by its API key) sees what is certified and promoted to its
// environment, and with granted=true only the servers it holds an active grant for. Without a key the
// registry answers only when an administrator turned on anonymous read; then it shows every certified
// version, whatever the environment. A key that is sent but not valid (unknown, revoked, expired, its
// agent disabled) is refused even then: the caller meant to be an agent and must learn its key failed.

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

const realm = 'Bearer realm="toolgate-registry"';

export async function registryViewer(authorization: string | null, grantedOnly: boolean): Promise<RegistryViewer> {
  if (authorization !== null && authorization.trim() !== "") {
    const token = bearerToken(authorization);
    if (!token) throw new RegistryAuthError("Send the agent key as Authorization: Bearer <key>.", `${realm}, error="invalid_request"`);
    const agent = await authenticateAgentKey(token);
    if (!agent) {
      throw new RegistryAuthError(
        "The agent key is not valid: it is unknown, revoked or expired, or its agent is disabled.",
        `${realm}, error="invalid_token"`,
      );
    }
    const serverIds = grantedOnly ? [...new Set((await activeGrants(agent.agentId)).map((grant) => grant.serverId))] : null;
    return { kind: "agent", agent, serverIds };
  }
  if (grantedOnly) throw new RegistryAuthError("granted=true lists what an agent is granted: send its key as Authorization: Bearer <key>.", realm);
  if (!(await getPolicy("registry.anonymousRead"))) {
    throw new RegistryAuthError("This registry needs an agent key: send it as Authorization: Bearer <key>.", realm);
  }
  return { kind: "anonymous" };
}

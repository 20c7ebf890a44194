import { createHash } from "node:crypto";
import type { AgentIdentity } from "@/lib/agents/keys";
import { db } from "@/lib/db/prisma";
import { singleton } from "@/lib/runtime/singleton";
import { replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import { type TokenFailureReason, verifyAccessToken, type VerifiedToken } from "./access-token";
import { forgetTrustedIssuers } from "./trusted";

// From an access token to the agent it acts as: verify it (./access-token.ts), then find the agent its
// client_id — or else its sub — is bound to (./bindings.ts). A delegated token (RFC 8693 `act`,
// ./on-behalf-of.ts) acts as the agent its client_id or act.sub is bound to, for the user in its sub.
// The outcome is kept per token digest until the token expires or for at most cacheMs, so the hot path
// pays for jose and the lookup once per token; any change to issuers, bindings or agents drops the lot
// (forgetTokenIdentities, wired in lib/runtime/gateway-wiring.ts).

const cacheMs = 60_000;
const maxEntries = 10_000;

export type TokenRefusalReason = TokenFailureReason | "unbound_client" | "agent_disabled";

export type TokenIdentityOutcome =
  | { ok: true; identity: AgentIdentity }
  | { ok: false; status: 401 | 403; reason: TokenRefusalReason; description: string };

interface Cached {
  outcome: Promise<TokenIdentityOutcome>;
  until: number;
}

const cache = singleton("tokenIdentities", () => new Map<string, Cached>());

/** Drops every cached token outcome and the cached issuers. */
export function forgetTokenIdentities(): void {
  cache.clear();
  forgetTrustedIssuers();
}

const shown = (text: string) => replaceUnsafeCharacters(text.slice(0, 200));

async function boundAgent(token: VerifiedToken): Promise<TokenIdentityOutcome> {
  // A delegated token's sub is its user: the agent is its client_id, else act.sub, never the user's sub.
  const clientId = token.clientId ?? token.actor;
  const agentSubject = token.onBehalfOf ? token.actor : token.sub;
  const candidates = [
    ...(clientId !== null ? [{ kind: "client_id" as const, subject: clientId }] : []),
    ...(agentSubject !== null ? [{ kind: "sub" as const, subject: agentSubject }] : []),
  ];
  const bindings = candidates.length
    ? await db().tokenBinding.findMany({
        where: { issuerId: token.issuerId, OR: candidates },
        select: { id: true, kind: true, agent: { select: { id: true, name: true, teamId: true, environment: true, disabled: true } } },
      })
    : [];
  // The client's binding wins over the subject's: the client is the agent software.
  const binding = bindings.find((row) => row.kind === "client_id") ?? bindings[0];
  if (!binding) {
    const who = clientId !== null ? `client_id ${shown(clientId)}` : `sub ${shown(agentSubject ?? "(none)")}`;
    return { ok: false, status: 403, reason: "unbound_client", description: `This client (${who} from issuer ${token.issuer}) is not bound to a Toolgate agent; an admin binds it on the Agents page.` };
  }
  const { agent } = binding;
  if (agent.disabled) return { ok: false, status: 403, reason: "agent_disabled", description: `The agent ${agent.name} this client is bound to is disabled.` };
  return {
    ok: true,
    identity: { agentId: agent.id, name: agent.name, teamId: agent.teamId, environment: agent.environment, keyId: binding.id, expiresAt: new Date(token.exp * 1000), via: "token", scopes: token.scopes, onBehalfOf: token.onBehalfOf },
  };
}

async function resolve(token: string, resource: string): Promise<TokenIdentityOutcome> {
  const verified = await verifyAccessToken(token, resource);
  if (!verified.ok) return { ok: false, status: 401, reason: verified.reason, description: verified.description };
  return boundAgent(verified.token);
}

/** The agent an access token acts as at `resource`, or why it does not. */
export function identityForAccessToken(token: string, resource: string): Promise<TokenIdentityOutcome> {
  // Keyed by a digest, so tokens are not kept in memory beyond the request.
  const digest = createHash("sha256").update(resource).update("\n").update(token).digest("base64url");
  const now = Date.now();
  const cached = cache.get(digest);
  if (cached && cached.until > now) return cached.outcome;
  if (cache.size >= maxEntries) cache.clear();
  const entry: Cached = { outcome: resolve(token, resource), until: now + cacheMs };
  cache.set(digest, entry);
  const forget = () => {
    if (cache.get(digest) === entry) cache.delete(digest);
  };
  entry.outcome.then((outcome) => {
    if (outcome.ok) entry.until = Math.min(entry.until, outcome.identity.expiresAt!.getTime());
    else if (outcome.reason === "keys_unavailable") forget();
  }, forget);
  return entry.outcome;
}

import { createHash } from "node:crypto";
import { type AgentIdentity, authenticateAgentKey } from "@/lib/agents/keys";
import { onResolutionChange } from "./invalidation";

// Agent keys are checked on every gateway request; the database is asked once per key and ttl, and
// again at once after any change to keys or agents (the same LISTEN/NOTIFY signal as resolution).
const ttlMs = 30_000;
const maxEntries = 10_000;
const cache = new Map<string, { identity: AgentIdentity; until: number }>();
onResolutionChange(() => cache.clear());

/** The agent a key belongs to, or null when the key is unknown, revoked, expired or its agent disabled. */
export async function agentForKey(token: string): Promise<AgentIdentity | null> {
  // Keyed by a digest so raw keys are not kept in memory longer than the request.
  const digest = createHash("sha256").update(token).digest("base64url");
  const now = Date.now();
  const cached = cache.get(digest);
  if (cached && cached.until > now) return cached.identity;
  const identity = await authenticateAgentKey(token);
  if (!identity) {
    cache.delete(digest);
    return null;
  }
  if (cache.size >= maxEntries) cache.clear();
  cache.set(digest, { identity, until: Math.min(now + ttlMs, identity.expiresAt?.getTime() ?? Infinity) });
  return identity;
}

import { createHash } from "node:crypto";
import { type AgentIdentity, authenticateAgentKey } from "@/lib/agents/keys";
import { singleton } from "@/lib/runtime/singleton";

// Agent keys are checked on every gateway request; the database is asked once per key and ttl, and
// again at once after any change to keys or agents (the same LISTEN/NOTIFY signal as resolution).
// Requests that miss together share one lookup: when a busy key's entry expires, every request that
// arrives while it is being read again would otherwise start a read of its own, and at a thousand
// calls a second those reads queue for the connection pool until calls wait for hundreds of ms.
const ttlMs = 30_000;
const maxEntries = 10_000;

interface CachedKey {
  identity: Promise<AgentIdentity | null>;
  until: number;
}

// A singleton, so every copy of this module Next.js loads shares the cache that the wiring clears.
const cache = singleton("agentKeys", () => new Map<string, CachedKey>());

/** Drops every cached key; lib/runtime/gateway-wiring.ts calls it whenever keys or agents may have changed. */
export function forgetAgentKeys(): void {
  cache.clear();
}

/** The agent a key belongs to, or null when the key is unknown, revoked, expired or its agent disabled. */
export function agentForKey(token: string): Promise<AgentIdentity | null> {
  // Keyed by a digest so raw keys are not kept in memory longer than the request.
  const digest = createHash("sha256").update(token).digest("base64url");
  const now = Date.now();
  const cached = cache.get(digest);
  if (cached && cached.until > now) return cached.identity;
  if (cache.size >= maxEntries) cache.clear();
  const entry: CachedKey = { identity: authenticateAgentKey(token), until: now + ttlMs };
  cache.set(digest, entry);
  const forget = () => {
    if (cache.get(digest) === entry) cache.delete(digest);
  };
  entry.identity.then(
    (identity) => {
      if (!identity) forget();
      else entry.until = Math.min(entry.until, identity.expiresAt?.getTime() ?? Infinity);
    },
    forget,
  );
  return entry.identity;
}

import { guardedFetch, liveOutboundPolicy, type OutboundFetch } from "@/lib/net/outbound";
import { singleton } from "@/lib/runtime/singleton";

// Discovery documents and JWKS are fetched from addresses an administrator typed, so they go through the
// same outbound-safety rules as imports (lib/net/outbound.ts): no private ranges unless allowed, no
// redirects, a deadline and a size cap. One fetch (one connection pool) for the process.

export const identityFetchLimits = { timeoutMs: 10_000, maxResponseBytes: 512 * 1024 };

/** The guarded fetch for identity providers, checked against the live outbound rule. */
export function identityFetch(): OutboundFetch {
  return singleton("identityFetch", () => guardedFetch(liveOutboundPolicy(), identityFetchLimits));
}

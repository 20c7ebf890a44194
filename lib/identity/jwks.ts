import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from "jose";
import { singleton } from "@/lib/runtime/singleton";
import { identityFetch } from "./outbound";
import type { TrustedIssuer } from "./trusted";

// One remote JWKS per issuer (jose keeps the keys and refetches them): kept cacheMaxAge, and a token
// whose kid is unknown makes jose fetch the set again once — unless it was fetched less than
// cooldownMs ago — then the token is refused. So a rotation at the provider is picked up by the first
// token signed with the new key, and a stream of made-up kids cannot make Toolgate hammer the provider.

export const jwksCacheMaxAgeMs = 10 * 60 * 1000;
export const jwksCooldownMs = 30_000;

const sets = singleton("issuerJwks", () => new Map<string, { jwksUri: string; getKey: JWTVerifyGetKey }>());

/** The key resolver for the issuer's tokens, created on first use and kept while its JWKS address stays. */
export function issuerKeys(issuer: TrustedIssuer): JWTVerifyGetKey {
  const cached = sets.get(issuer.id);
  if (cached?.jwksUri === issuer.jwksUri) return cached.getKey;
  const fetch = identityFetch();
  const getKey = createRemoteJWKSet(new URL(issuer.jwksUri), {
    cacheMaxAge: jwksCacheMaxAgeMs,
    cooldownDuration: jwksCooldownMs,
    timeoutDuration: 10_000,
    [customFetch]: (url, init) => fetch(url, { method: init.method, headers: init.headers, signal: init.signal }),
  });
  sets.set(issuer.id, { jwksUri: issuer.jwksUri, getKey });
  return getKey;
}

/** Forgets every issuer's keys (tests; a removed issuer's set would otherwise linger until restart). */
export function forgetIssuerKeys(): void {
  sets.clear();
}

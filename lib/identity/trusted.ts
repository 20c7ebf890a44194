import { db } from "@/lib/db/prisma";
import { singleton } from "@/lib/runtime/singleton";

// The enabled issuers, read on the hot path of every token: kept in memory and read again after any
// change (the resolution signal, wired in lib/runtime/gateway-wiring.ts) or at the latest after ttlMs.

const ttlMs = 30_000;

export interface TrustedIssuer {
  id: string;
  issuer: string;
  jwksUri: string;
}

const cache = singleton("trustedIssuers", () => ({ current: null as null | { until: number; byIssuer: Promise<Map<string, TrustedIssuer>> } }));

/** Drops the cached issuers; the next token reads them again. */
export function forgetTrustedIssuers(): void {
  cache.current = null;
}

function load(): Promise<Map<string, TrustedIssuer>> {
  return db()
    .trustedIssuer.findMany({ where: { enabled: true }, select: { id: true, issuer: true, jwksUri: true } })
    .then((rows) => new Map(rows.map((row) => [row.issuer, row])));
}

/** Every enabled issuer by its identifier. */
export function enabledIssuers(): Promise<Map<string, TrustedIssuer>> {
  const now = Date.now();
  if (cache.current && cache.current.until > now) return cache.current.byIssuer;
  const entry = { until: now + ttlMs, byIssuer: load() };
  cache.current = entry;
  entry.byIssuer.catch(() => {
    if (cache.current === entry) cache.current = null;
  });
  return entry.byIssuer;
}

/** The enabled issuer a token's `iss` names, or null. */
export async function trustedIssuer(iss: string): Promise<TrustedIssuer | null> {
  return (await enabledIssuers()).get(iss) ?? null;
}

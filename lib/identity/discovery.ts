import { z } from "zod";
import { DomainError, ValidationError } from "@/lib/errors";
import { displayUrl, type OutboundFetch } from "@/lib/net/outbound";

// Finding an authorization server's keys from its issuer identifier: RFC 8414 metadata first
// (/.well-known/oauth-authorization-server inserted before the issuer's path), then OpenID Connect
// discovery (/.well-known/openid-configuration appended). The document must name the same issuer,
// or a server could vouch for another one (RFC 8414 §3.3).

/** A discovery that failed for a reason the provider's administrator can act on. */
export class DiscoveryError extends DomainError {
  override readonly status = 422;
}

export interface DiscoveredIssuer {
  issuer: string;
  jwksUri: string;
  metadataUrl: string;
}

const metadataSchema = z.object({
  issuer: z.string(),
  jwks_uri: z.url({ protocol: /^https?$/ }),
});

/** Where the metadata may be, in the order tried. */
export function metadataUrls(issuer: string): string[] {
  const url = new URL(issuer);
  const path = url.pathname === "/" ? "" : url.pathname.replace(/\/$/, "");
  return [`${url.origin}/.well-known/oauth-authorization-server${path}`, `${url.origin}${path}/.well-known/openid-configuration`];
}

async function fetchMetadata(fetch: OutboundFetch, url: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) {
    await response.body?.cancel();
    throw new DiscoveryError(`${displayUrl(new URL(url))} answered HTTP ${response.status}.`);
  }
  try {
    return JSON.parse(await response.text());
  } catch {
    throw new DiscoveryError(`${displayUrl(new URL(url))} did not answer with JSON.`);
  }
}

/** The issuer's JWKS address, from the first metadata document that answers. */
export async function discoverIssuer(issuer: string, fetch: OutboundFetch): Promise<DiscoveredIssuer> {
  const failures: string[] = [];
  for (const url of metadataUrls(issuer)) {
    let document: unknown;
    try {
      document = await fetchMetadata(fetch, url);
    } catch (error) {
      // A refused address is refused for every candidate: say so at once.
      if (error instanceof ValidationError) throw error;
      failures.push(error instanceof Error ? error.message : String(error));
      continue;
    }
    const parsed = metadataSchema.safeParse(document);
    if (!parsed.success) throw new DiscoveryError(`${displayUrl(new URL(url))} is not authorization server metadata with an issuer and an http(s) jwks_uri.`);
    if (parsed.data.issuer !== issuer) {
      throw new DiscoveryError(`${displayUrl(new URL(url))} names the issuer "${parsed.data.issuer.slice(0, 200)}", not "${issuer}": register the issuer exactly as it names itself.`);
    }
    return { issuer, jwksUri: parsed.data.jwks_uri, metadataUrl: url };
  }
  throw new DiscoveryError(`No authorization server metadata found for ${issuer}: ${failures.join("; ")}`);
}

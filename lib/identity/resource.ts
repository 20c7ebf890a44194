import { scopes } from "@/lib/agents/scopes";
import { publicBase } from "@/lib/net/public-origin";
import { acceptedAlgorithms } from "./access-token";
import { enabledIssuers } from "./trusted";

/**
 * The resource (RFC 8707) an access token must name in its audience, at the gateway and the registry
 * alike: the gateway's public /mcp URL, the one its protected resource metadata states.
 */
export function toolgateResource(requestUrl: string): string {
  return new URL("/mcp", publicBase(requestUrl)).toString();
}

/**
 * RFC 9728 Protected Resource Metadata for the gateway: agents send an API key or an access token from
 * one of the enabled issuers as a bearer header, with the scopes of lib/agents/scopes.ts.
 */
export async function protectedResourceMetadata(requestUrl: string) {
  const base = publicBase(requestUrl);
  const issuers = await enabledIssuers();
  return {
    resource: toolgateResource(requestUrl),
    authorization_servers: [...issuers.keys()].sort(),
    scopes_supported: [...scopes],
    bearer_methods_supported: ["header"],
    resource_signing_alg_values_supported: acceptedAlgorithms,
    resource_name: "Toolgate gateway",
    resource_documentation: new URL("/api/v1/openapi.json", base).toString(),
  };
}

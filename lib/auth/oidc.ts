import type { OAuthConfig } from "next-auth/providers/oauth";
import { oidcSettings, type RawEnv } from "@/lib/config/env";

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
}

/** A generic OpenID Connect provider from the OIDC_* variables, or null when OIDC_ISSUER is unset. */
export function oidcProviderFromEnv(env?: RawEnv): OAuthConfig<OidcProfile> | null {
  const config = oidcSettings(env);
  if (!config) return null;
  return {
    id: "oidc",
    name: config.name,
    type: "oauth",
    wellKnown: `${config.issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

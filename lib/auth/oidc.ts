import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";

const required = (name: string) => {
  const message = `${name} is required when OIDC_ISSUER is set`;
  return z.string({ error: message }).min(1, message);
};

const oidcEnv = z.object({
  OIDC_ISSUER: z.url({ error: "OIDC_ISSUER must be the issuer URL, e.g. https://login.example.com/realms/acme" }),
  OIDC_CLIENT_ID: required("OIDC_CLIENT_ID"),
  OIDC_CLIENT_SECRET: required("OIDC_CLIENT_SECRET"),
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
});

interface OidcProfile {
  sub: string;
  email?: string;
  name?: string;
}

/** A generic OpenID Connect provider from OIDC_* env vars, or null when OIDC_ISSUER is unset. */
export function oidcProviderFromEnv(env: Record<string, string | undefined>): OAuthConfig<OidcProfile> | null {
  if (!env.OIDC_ISSUER) return null;
  const parsed = oidcEnv.safeParse(env);
  if (!parsed.success) throw new Error(`OIDC settings: ${parsed.error.issues.map((i) => i.message).join("; ")}`);
  const config = parsed.data;
  return {
    id: "oidc",
    name: config.OIDC_NAME,
    type: "oauth",
    wellKnown: `${config.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId: config.OIDC_CLIENT_ID,
    clientSecret: config.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile: (profile) => ({ id: profile.sub, email: profile.email ?? null, name: profile.name ?? null }),
  };
}

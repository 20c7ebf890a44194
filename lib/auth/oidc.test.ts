import { describe, expect, it } from "vitest";
import { oidcProviderFromEnv } from "./oidc";

describe("optional OIDC provider", () => {
  it("is off when OIDC_ISSUER is unset", () => {
    expect(oidcProviderFromEnv({})).toBeNull();
  });

  it("is built from the OIDC_* variables", () => {
    const provider = oidcProviderFromEnv({
      OIDC_ISSUER: "https://login.example.com/realms/acme/",
      OIDC_CLIENT_ID: "toolgate",
      OIDC_CLIENT_SECRET: "s3cret",
      OIDC_NAME: "Acme SSO",
    });
    expect(provider).toMatchObject({
      id: "oidc",
      name: "Acme SSO",
      wellKnown: "https://login.example.com/realms/acme/.well-known/openid-configuration",
      clientId: "toolgate",
      idToken: true,
    });
    expect(provider!.profile({ sub: "42", email: "ada@example.com", name: "Ada" }, {})).toEqual({
      id: "42",
      email: "ada@example.com",
      name: "Ada",
    });
  });

  it("names what is missing", () => {
    expect(() => oidcProviderFromEnv({ OIDC_ISSUER: "https://login.example.com" })).toThrow(/OIDC_CLIENT_ID is required/);
    expect(() => oidcProviderFromEnv({ OIDC_ISSUER: "not a url", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" })).toThrow(
      /OIDC_ISSUER must be the issuer URL/,
    );
  });
});

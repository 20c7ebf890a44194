import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { applyOutboundAllow, loopbackRanges } from "@/lib/net/outbound";
import { allScopes, type AuthorizationServer, otherResource, startAuthorizationServer, type TestClient } from "@/test/authorization-server";
import { makeUser } from "@/test/factories";
import { looksLikeJwt, maxTokenBytes, verifyAccessToken } from "./access-token";
import { registerIssuer } from "./issuers";
import { forgetIssuerKeys, jwksCooldownMs } from "./jwks";

// Tokens from a real authorization server (oidc-provider), checked by the verifier as the gateway uses it.

const resource = "http://127.0.0.1:4999/mcp";
const client: TestClient = { clientId: "agent-client", secret: "agent-client-secret-0123456789", scope: allScopes };
let idp: AuthorizationServer;
let stranger: AuthorizationServer;

beforeAll(async () => {
  applyOutboundAllow(loopbackRanges);
  forgetIssuerKeys();
  idp = await startAuthorizationServer({ audience: resource, clients: [client] });
  stranger = await startAuthorizationServer({ audience: resource, clients: [client] });
  await registerIssuer(await makeUser(["admin"]), { issuer: idp.issuer });
});

afterAll(async () => {
  await idp.close();
  await stranger.close();
});

afterEach(() => void vi.useRealTimers());

const reasonOf = async (token: string) => {
  const result = await verifyAccessToken(token, resource);
  return result.ok ? "ok" : result.reason;
};

/** A token as an attacker would make it: the real token's claims under a header and signature of their own. */
function reshaped(token: string, header: object, signature = ""): string {
  const [, payload] = token.split(".");
  return `${Buffer.from(JSON.stringify(header)).toString("base64url")}.${payload}.${signature}`;
}

describe("verifying access tokens", () => {
  it("accepts a token of a registered issuer for this resource, with its client and scopes", async () => {
    const token = await idp.token(client, { scope: "tools:read tools:call" });
    expect(looksLikeJwt(token)).toBe(true);
    const result = await verifyAccessToken(token, resource);
    expect(result).toMatchObject({ ok: true, token: { issuer: idp.issuer, clientId: client.clientId, scopes: ["tools:read", "tools:call"] } });
  });

  it("refuses a token meant for another resource", async () => {
    expect(await reasonOf(await idp.token(client, { resource: otherResource }))).toBe("wrong_audience");
  });

  it("refuses an expired token, beyond the clock tolerance", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 10 * 60 * 1000 });
    const token = await idp.token(client);
    vi.useRealTimers();
    expect(await reasonOf(token)).toBe("expired");
  });

  it("refuses a token from an issuer nobody registered", async () => {
    expect(await reasonOf(await stranger.token(client))).toBe("unknown_issuer");
  });

  it("refuses a tampered signature, alg none and HS256", async () => {
    const token = await idp.token(client);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") + signature.slice(11);
    expect(await reasonOf(`${header}.${payload}.${flipped}`)).toBe("bad_signature");
    // The claims changed under the real signature.
    const claims = { ...decodeJwt(token), scope: "tools:call:high-risk" };
    expect(await reasonOf(`${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`)).toBe("bad_signature");
    expect(await reasonOf(reshaped(token, { alg: "none", typ: "at+jwt" }))).toBe("unsupported_algorithm");
    const hs = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: "HS256", kid: "test-signing-key" }).sign(new TextEncoder().encode("guessed-secret-0123456789abcdef!"));
    expect(await reasonOf(hs)).toBe("unsupported_algorithm");
  });

  it("fetches the issuer's keys again once for an unknown kid, after the cooldown, then refuses", async () => {
    const token = await idp.token(client);
    expect(await reasonOf(token)).toBe("ok");
    const { privateKey } = await generateKeyPair("RS256", { extractable: true });
    const forged = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: "RS256", kid: "not-published", typ: "at+jwt" }).sign(privateKey);
    const fetches = () => idp.requests.get("/jwks") ?? 0;
    const before = fetches();
    // Within the cooldown the set is not fetched again.
    expect(await reasonOf(forged)).toBe("unknown_key");
    expect(fetches()).toBe(before);
    // Past it, an unknown kid fetches the set once (a rotation would be picked up), then refuses.
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + jwksCooldownMs + 1000 });
    expect(await reasonOf(forged)).toBe("unknown_key");
    expect(fetches()).toBe(before + 1);
    expect(await reasonOf(forged)).toBe("unknown_key");
    expect(fetches()).toBe(before + 1);
  });

  it("caps the size before parsing and refuses what is not a JWT", async () => {
    expect(await reasonOf("a".repeat(maxTokenBytes + 1))).toBe("too_large");
    expect(await reasonOf("not-a-jwt")).toBe("malformed");
    expect(await reasonOf("e30.e30.")).toBe("unsupported_algorithm");
    expect(await reasonOf("%%%.e30.abc")).toBe("malformed");
    expect(await reasonOf("bm90IGpzb24.e30.abc")).toBe("malformed");
  });

  it("refuses a typ that says the JWT is something other than an access token", async () => {
    const token = await idp.token(client);
    const { privateKey } = await generateKeyPair("RS256");
    const other = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: "RS256", kid: "test-signing-key", typ: "dpop+jwt" }).sign(privateKey);
    expect(await reasonOf(other)).toBe("malformed");
  });
});

describe("delegated tokens (RFC 8693 token exchange)", () => {
  it("reads the user from sub and the agent from act.sub, with a display name", async () => {
    const token = await idp.exchange(client, idp.userToken({ sub: "user-ada", name: "Ada Lovelace", email: "ada@example.com" }), { scope: "tools:read" });
    expect(decodeJwt(token)).toMatchObject({ sub: "user-ada", act: { sub: client.clientId }, client_id: client.clientId });
    const result = await verifyAccessToken(token, resource);
    expect(result).toMatchObject({
      ok: true,
      token: { clientId: client.clientId, sub: "user-ada", actor: client.clientId, scopes: ["tools:read"], onBehalfOf: { issuer: idp.issuer, subject: "user-ada", name: "Ada Lovelace" } },
    });
  });

  it("strips control characters from the user's name and caps its length; falls back to email", async () => {
    const named = await verifyAccessToken(await idp.exchange(client, idp.userToken({ sub: "u1", name: "Ada\u0000 \u202eLove\nlace" + "x".repeat(500) })), resource);
    const name = named.ok ? named.token.onBehalfOf?.name : null;
    expect(name?.startsWith("Ada Love lacexx")).toBe(true);
    expect([...name!]).toHaveLength(100);
    const emailed = await verifyAccessToken(await idp.exchange(client, idp.userToken({ sub: "u2", name: "\u0007", email: "bob@example.com" })), resource);
    expect(emailed.ok && emailed.token.onBehalfOf?.name).toBe("bob@example.com");
    const plain = await verifyAccessToken(await idp.exchange(client, idp.userToken({ sub: "u3" })), resource);
    expect(plain.ok && plain.token.onBehalfOf).toEqual({ issuer: idp.issuer, subject: "u3", name: null });
  });

  it("refuses a malformed act claim with a clear reason", async () => {
    const refusal = async (act: unknown) => {
      const result = await verifyAccessToken(await idp.exchange(client, idp.userToken({ sub: "user-x", act })), resource);
      return result.ok ? "ok" : `${result.reason}: ${result.description}`;
    };
    expect(await refusal("agent-client")).toMatch(/^malformed: The access token's act claim must be an object/);
    expect(await refusal(["agent-client"])).toMatch(/^malformed: .*act claim/);
    expect(await refusal({ sub: 42 })).toMatch(/^malformed: .*act\.sub/);
    expect(await refusal({ sub: "a".repeat(256) })).toMatch(/^malformed: .*act\.sub/);
    expect(await refusal({ sub: "agent\u0000client" })).toMatch(/^malformed: .*act\.sub/);
    expect(await refusal({ sub: "agent-client", act: { sub: "earlier-actor" } })).toBe("ok");
  });
});


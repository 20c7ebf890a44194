import { decodeJwt, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/prisma";
import { bindTokenSubject } from "@/lib/identity/bindings";
import { registerIssuer } from "@/lib/identity/issuers";
import { forgetIssuerKeys } from "@/lib/identity/jwks";
import { protectedResourceMetadata } from "@/lib/identity/resource";
import { applyOutboundAllow, loopbackRanges } from "@/lib/net/outbound";
import { registryViewer, RegistryForbiddenError } from "@/lib/registry/viewer";
import { allScopes, type AuthorizationServer, otherResource, startAuthorizationServer, type TestClient } from "@/test/authorization-server";
import { makeUser } from "@/test/factories";
import { ClientCredentialsProvider as ModernCredentials, Client as ModernSdkClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { ClientCredentialsProvider as LegacyCredentials } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { Client as LegacySdkClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey, grant } from "@/test/registry";
import { forgetTokenIdentities, identityForAccessToken } from "@/lib/identity/token-identity";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";

// The gateway as an OAuth 2.1 resource server (issue #17): access tokens from a real authorization
// server (oidc-provider, test/authorization-server.ts), obtained over HTTP by the client-credentials
// grant, used by the official SDK clients of both eras and by raw requests for each refusal.

const clients = {
  full: { clientId: "agent-full", secret: "agent-full-secret-0123456789", scope: allScopes },
  reader: { clientId: "agent-reader", secret: "agent-reader-secret-0123456789", scope: "tools:read" },
  caller: { clientId: "agent-caller", secret: "agent-caller-secret-0123456789", scope: "tools:read tools:call" },
  unbound: { clientId: "agent-unbound", secret: "agent-unbound-secret-0123456789", scope: allScopes },
  service: { clientId: "svc-account", secret: "svc-account-secret-0123456789", scope: allScopes },
} satisfies Record<string, TestClient>;

let lowFixture: FixtureServer;
let highFixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let idp: AuthorizationServer;
let stranger: AuthorizationServer;
let agentId: string;
let issuerId: string;
let admin: Awaited<ReturnType<typeof makeUser>>;
const low = (tool: string) => `com.example_slow__${tool}`;
const high = (tool: string) => `com.example_shigh__${tool}`;

beforeAll(async () => {
  applyOutboundAllow(loopbackRanges);
  forgetIssuerKeys();
  lowFixture = await startFixtureServer({ tools: defaultFixtureTools });
  highFixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ agentId } = await governFixtureServer(lowFixture.url, { name: "com.example/low", riskTier: "low" }));
  const { serverId: highServerId } = await governFixtureServer(highFixture.url, { name: "com.example/high", riskTier: "high" });
  await grant(agentId, highServerId);
  gateway = await startGatewayServer();
  const resource = `${gateway.origin}/mcp`;
  idp = await startAuthorizationServer({ audience: resource, clients: Object.values(clients) });
  stranger = await startAuthorizationServer({ audience: resource, clients: Object.values(clients) });
  admin = await makeUser(["admin"]);
  const issuer = await registerIssuer(admin, { issuer: idp.issuer, displayName: "Test IdP" });
  issuerId = issuer.id;
  for (const client of [clients.full, clients.reader, clients.caller]) {
    await bindTokenSubject(admin, { agentId, issuerId: issuer.id, kind: "client_id", subject: client.clientId });
  }
});

afterAll(async () => {
  await closeGatewayTest(gateway, lowFixture);
  await highFixture.close();
  await idp.close();
  await stranger.close();
});

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const rpc = (method: string, params: object = {}) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
const post = (body: string, headers: Record<string, string>, url = gateway.url) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers }, body });
const callBody = (name: string) => rpc("tools/call", { name, arguments: { id: "r-1" } });

describe.each([
  ["2025-11-25", connectLegacy],
  ["2026-07-28", connectModern],
] as const)("the official SDK client (%s) with a bearer token from the IdP", (_era, connect) => {
  it("lists the agent's tools and calls them, low and high risk", async () => {
    const client = await connect(gateway.url, bearer(await idp.token(clients.full)));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining([low("read_record"), high("read_record")]));
    for (const name of [low("read_record"), high("read_record")]) {
      const result = await client.callTool({ name, arguments: { id: "r-1" } });
      expect(result.isError ?? false).toBe(false);
    }
    await client.close();
  });
});

describe("the official SDK client finding the IdP itself", () => {
  // 401 → WWW-Authenticate resource_metadata → Toolgate's metadata → authorization_servers → the IdP's
  // metadata → a client-credentials token for the resource → the same request again, with the token.
  it("the 2025-era client (v1 SDK) with a client-credentials provider lists and calls", async () => {
    // The v1 SDK calls the provider's prepareTokenRequest without the scope it resolved (from the
    // challenge or scopes_supported), so a client-credentials token carries only the scopes the
    // provider was configured with, none by default, and step-up cannot widen it: the host names them.
    const authProvider = new LegacyCredentials({ clientId: clients.full.clientId, clientSecret: clients.full.secret, expectedIssuer: idp.issuer, scope: allScopes });
    const client = new LegacySdkClient({ name: "oauth-host", version: "1.0.0" });
    await client.connect(new LegacyTransport(new URL(gateway.url), { authProvider }));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await client.callTool({ name: low("read_record"), arguments: { id: "r-1" } })).isError ?? false).toBe(false);
    await client.close();
  });

  it("the 2026-07-28 client (v2 SDK) with a client-credentials provider lists and calls", async () => {
    const authProvider = new ModernCredentials({ clientId: clients.full.clientId, clientSecret: clients.full.secret, expectedIssuer: idp.issuer });
    const client = new ModernSdkClient({ name: "oauth-host", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await client.connect(new ModernTransport(new URL(gateway.url), { authProvider }));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    expect((await client.callTool({ name: high("read_record"), arguments: { id: "r-1" } })).isError ?? false).toBe(false);
    await client.close();
  });
});

describe("scopes", () => {
  it("a reduced-scope token works for what it covers: tools:read lists, but a call needs tools:call", async () => {
    const token = await idp.token(clients.reader);
    const client = await connectLegacy(gateway.url, bearer(token));
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
    const refused = await post(callBody(low("read_record")), { ...bearer(token), "x-correlation-id": "scope-check-1" });
    expect(refused.status).toBe(403);
    const challenge = refused.headers.get("www-authenticate")!;
    expect(challenge).toMatch(/^Bearer error="insufficient_scope", scope="tools:call", resource_metadata=".*\/\.well-known\/oauth-protected-resource\/mcp"/);
  });

  it("a high-risk tool needs tools:call:high-risk, named alone in the challenge, and the refusal is audited with the correlation id", async () => {
    const token = await idp.token(clients.caller);
    const client = await connectModern(gateway.url, bearer(token));
    expect((await client.callTool({ name: low("read_record"), arguments: { id: "r-1" } })).isError ?? false).toBe(false);
    await client.close();
    const refused = await post(callBody(high("read_record")), { ...bearer(token), "x-correlation-id": "step-up-42" });
    expect(refused.status).toBe(403);
    expect(refused.headers.get("www-authenticate")).toMatch(/error="insufficient_scope", scope="tools:call:high-risk",/);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/lacks the scope tools:call:high-risk/);
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId: "step-up-42" } });
    expect(event).toMatchObject({ action: "gateway.tools/call", outcome: "denied", actorId: agentId, targetType: "server" });
    expect(event.details).toMatchObject({ missingScopes: "tools:call:high-risk" });
  });
});

describe("scopes in discovery mode (decision 034)", () => {
  const search = () => `${gateway.url}?tools=search`;
  const metaCall = (name: string, args: object) => rpc("tools/call", { name, arguments: args });

  it("search_tools and describe_tool need tools:read; call_tool needs tools:call, and tools:call:high-risk for a high-risk tool", async () => {
    const reader = await idp.token(clients.reader);
    const client = await connectModern(search(), bearer(reader));
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["search_tools", "describe_tool", "call_tool"]);
    expect((await client.callTool({ name: "search_tools", arguments: { query: "read a record" } })).isError ?? false).toBe(false);
    expect((await client.callTool({ name: "describe_tool", arguments: { name: low("read_record") } })).isError ?? false).toBe(false);
    await client.close();
    const readerCall = await post(metaCall("call_tool", { name: low("read_record"), arguments: { id: "r-1" } }), bearer(reader), search());
    expect(readerCall.status).toBe(403);
    expect(readerCall.headers.get("www-authenticate")).toMatch(/scope="tools:call",/);
    const caller = await idp.token(clients.caller);
    const highCall = await post(metaCall("call_tool", { name: high("read_record"), arguments: { id: "r-1" } }), { ...bearer(caller), "x-correlation-id": "step-up-via-call-tool" }, search());
    expect(highCall.status).toBe(403);
    expect(highCall.headers.get("www-authenticate")).toMatch(/scope="tools:call:high-risk",/);
    const callerClient = await connectLegacy(search(), bearer(caller));
    const result = await callerClient.callTool({ name: "call_tool", arguments: { name: low("read_record"), arguments: { id: "r-1" } } });
    expect(result.structuredContent).toEqual({ id: "r-1" });
    await callerClient.close();
    await flushGatewayAudit();
    expect(await db().auditEvent.findFirstOrThrow({ where: { correlationId: "step-up-via-call-tool" } })).toMatchObject({ outcome: "denied", details: expect.objectContaining({ missingScopes: "tools:call:high-risk" }) });
  });
});

describe("refused tokens", () => {
  async function refusal(token: string) {
    const response = await post(rpc("tools/list"), bearer(token));
    return { status: response.status, challenge: response.headers.get("www-authenticate") ?? "", message: ((await response.json()) as { error: { message: string } }).error.message };
  }

  it("a token for another resource, an expired one, one from an unknown issuer: 401 invalid_token, each with its reason", async () => {
    const wrongAudience = await refusal(await idp.token(clients.full, { resource: otherResource }));
    expect(wrongAudience).toMatchObject({ status: 401, challenge: expect.stringMatching(/error="invalid_token", error_description="The access token is not meant for this resource/) });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() - 10 * 60 * 1000 });
    const old = await idp.token(clients.full);
    vi.useRealTimers();
    expect(await refusal(old)).toMatchObject({ status: 401, message: expect.stringMatching(/has expired/) });
    expect(await refusal(await stranger.token(clients.full))).toMatchObject({ status: 401, message: expect.stringMatching(/issuer is not trusted/) });
  });

  it("a tampered signature, alg none and an unknown kid: 401", async () => {
    const token = await idp.token(clients.full);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const widened = Buffer.from(JSON.stringify({ ...decodeJwt(token), aud: [otherResource, `${gateway.origin}/mcp`] })).toString("base64url");
    expect(await refusal(`${header}.${widened}.${signature}`)).toMatchObject({ status: 401, message: expect.stringMatching(/signature does not verify/) });
    const none = `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt" })).toString("base64url")}.${payload}.`;
    expect(await refusal(none)).toMatchObject({ status: 401, message: expect.stringMatching(/signed with none/) });
    const { privateKey } = await generateKeyPair("ES256");
    const unknownKid = await new SignJWT(decodeJwt(token)).setProtectedHeader({ alg: "ES256", kid: "rotated-out", typ: "at+jwt" }).sign(privateKey);
    expect(await refusal(unknownKid)).toMatchObject({ status: 401, message: expect.stringMatching(/key its issuer does not publish/) });
  });

  it("a valid token of a client bound to no agent: 403 saying who and what to do, audited", async () => {
    const response = await post(rpc("tools/list"), bearer(await idp.token(clients.unbound)));
    expect(response.status).toBe(403);
    const { message } = ((await response.json()) as { error: { message: string } }).error;
    expect(message).toBe(`This client (client_id agent-unbound from issuer ${idp.issuer}) is not bound to a Toolgate agent; an admin binds it on the Agents page.`);
    flushEdgeRefusals();
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "gateway.edge", reason: { contains: "bound to no agent" } } });
    expect(event.outcome).toBe("denied");
  });

  it("a huge token is refused before parsing; a token in the URL and malformed Authorization headers get invalid_request", async () => {
    expect(await refusal(`${"a".repeat(9000)}.${"b".repeat(100)}.c`)).toMatchObject({ status: 401, message: expect.stringMatching(/longer than 8192 bytes/) });
    const token = await idp.token(clients.full);
    const inUrl = await post(rpc("tools/list"), {}, `${gateway.url}?access_token=${token}`);
    expect(inUrl.status).toBe(400);
    expect(inUrl.headers.get("www-authenticate")).toMatch(/error="invalid_request"/);
    for (const header of ["Basic dXNlcjpwYXNz", "Bearer", "Bearer two tokens", `Token ${token}`, "Bearer\u00a0x"]) {
      const response = await post(rpc("tools/list"), { authorization: header });
      expect(response.status, header).toBe(401);
      expect(response.headers.get("www-authenticate"), header).toMatch(/error="invalid_request"/);
    }
  });

  it("never writes a token to the audit trail or the console", async () => {
    const logged = vi.spyOn(console, "error");
    const token = await idp.token(clients.reader);
    await post(callBody(low("read_record")), bearer(token));
    await post(rpc("tools/list"), bearer(token.slice(0, -4) + "AAAA"));
    flushEdgeRefusals();
    await flushGatewayAudit();
    const signature = token.split(".")[2]!;
    const rows = await db().auditEvent.findMany({ select: { reason: true, details: true } });
    expect(JSON.stringify(rows)).not.toContain(signature);
    expect(JSON.stringify(logged.mock.calls)).not.toContain(signature);
    logged.mockRestore();
  });
});

describe("identity per token", () => {
  it("verifies a token once: later requests with it reuse the outcome until something changes", async () => {
    const token = await idp.token(clients.full);
    const resource = `${gateway.origin}/mcp`;
    const first = identityForAccessToken(token, resource);
    expect(identityForAccessToken(token, resource)).toBe(first);
    expect(await first).toMatchObject({ ok: true, identity: { agentId, via: "token", scopes: ["tools:read", "tools:call", "tools:call:high-risk"] } });
    forgetTokenIdentities();
    expect(identityForAccessToken(token, resource)).not.toBe(first);
  });

  it("a service account bound by sub acts as its agent, and a disabled agent's token gets 403", async () => {
    const service = await agentWithKey("prod");
    await bindTokenSubject(admin, { agentId: service.agentId, issuerId, kind: "sub", subject: clients.service.clientId });
    const token = await idp.token(clients.service);
    expect(await identityForAccessToken(token, `${gateway.origin}/mcp`)).toMatchObject({ ok: true, identity: { agentId: service.agentId } });
    await db().agent.update({ where: { id: service.agentId }, data: { disabled: true } });
    forgetTokenIdentities();
    const refused = await post(rpc("tools/list"), bearer(token));
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/is disabled/);
  });

  it("a 2025-era session opened with a token is not usable with another agent's key", async () => {
    const client = await connectLegacy(gateway.url, bearer(await idp.token(clients.full)));
    const sessionId = (client.transport as { sessionId?: string }).sessionId!;
    const other = await agentWithKey("prod");
    const replay = await post(rpc("tools/list"), { ...bearer(other.key), "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" });
    expect(replay.status).toBe(404);
    await client.close();
  });
});

describe("the registry and the metadata document", () => {
  const requestUrl = () => `${gateway.origin}/v0.1/servers`;

  it("reads the registry with a token carrying tools:read, as the bound agent", async () => {
    const viewer = await registryViewer(`Bearer ${await idp.token(clients.reader)}`, true, requestUrl());
    expect(viewer).toMatchObject({ kind: "agent", agent: { agentId, via: "token" } });
    expect(viewer.kind === "agent" && viewer.serverIds?.length).toBe(2);
  });

  it("refuses a registry read without tools:read with the step-up challenge", async () => {
    const token = await idp.token(clients.full, { scope: "tools:call" });
    const refused = registryViewer(`Bearer ${token}`, false, requestUrl());
    await expect(refused).rejects.toThrow(RegistryForbiddenError);
    await expect(refused).rejects.toMatchObject({ challenge: expect.stringMatching(/error="insufficient_scope", scope="tools:read"/) });
  });

  it("refuses a registry read by a client bound to no agent, and a token for another resource", async () => {
    await expect(registryViewer(`Bearer ${await idp.token(clients.unbound)}`, false, requestUrl())).rejects.toThrow(/is not bound to a Toolgate agent/);
    await expect(registryViewer(`Bearer ${await idp.token(clients.full, { resource: otherResource })}`, false, requestUrl())).rejects.toMatchObject({
      status: 401,
      challenge: expect.stringMatching(/error="invalid_token"/),
    });
  });

  it("refuses a credential in the registry's URL", async () => {
    const token = await idp.token(clients.reader);
    await expect(registryViewer(`Bearer ${token}`, false, `${requestUrl()}?access_token=${token}`)).rejects.toMatchObject({ status: 401, challenge: expect.stringMatching(/invalid_request/) });
  });

  it("lists the enabled issuers and the scopes in the protected resource metadata", async () => {
    expect(await protectedResourceMetadata(gateway.url)).toMatchObject({
      resource: `${gateway.origin}/mcp`,
      authorization_servers: [idp.issuer],
      scopes_supported: ["tools:read", "tools:call", "tools:call:high-risk"],
    });
  });
});

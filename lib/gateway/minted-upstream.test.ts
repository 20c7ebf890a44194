import { randomUUID } from "node:crypto";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as jwksRoute } from "@/app/.well-known/jwks.json/route";
import { updateServerDetails } from "@/lib/catalog/edit";
import { registerServer } from "@/lib/catalog/register";
import { importVersion } from "@/lib/catalog/versions";
import { serverDetailsSchema } from "@/lib/catalog/schemas";
import { db } from "@/lib/db/prisma";
import { signingKeySet } from "@/lib/signing/keys";
import { makeTeam, makeUser } from "@/test/factories";
import { connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { startUpstreamFixture, type UpstreamFixture } from "@/test/upstream-fixture";
import { argumentsHash } from "./audit-queue";
import { BackendPool } from "./backends";
import { clearResolutionCache } from "./invalidation";
import { gatewaySubject, sessionScope, upstreamTokenSeconds } from "@/lib/signing/upstream-token";

// Minted backend credentials (decision 027): the fixture backend verifies every request's token against
// the JWKS the gateway publishes (jose createRemoteJWKSet), refusing any other, and echoes the claims.

let fixture: UpstreamFixture;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let agentId: string;
let key: string;
const whoami = "com.example_sminted__whoami";
const backendSecret = { header: "X-Backend-Key", value: "static-secret-77" };

beforeAll(async () => {
  fixture = await startUpstreamFixture();
  let serverId: string;
  ({ serverId, agentId, key } = await governFixtureServer(fixture.url, { name: "com.example/minted", credential: backendSecret }));
  await db().server.update({ where: { id: serverId }, data: { upstreamAuth: "minted" } });
  clearResolutionCache();
  gateway = await startGatewayServer();
  fixture.requireMintedTokens({ jwksUrl: `${gateway.origin}/.well-known/jwks.json`, issuer: gateway.origin });
  // Registration introspected the server before it required tokens; what the gateway sends starts now.
  fixture.seen.splice(0);
});

afterAll(() => closeGatewayTest(gateway, fixture));

const connectors = {
  legacy: () => connectLegacy(gateway.url, { Authorization: `Bearer ${key}` }),
  modern: () => connectModern(gateway.url, { Authorization: `Bearer ${key}` }),
};

describe.each(["legacy", "modern"] as const)("a minted server through the gateway, %s era", (era) => {
  it("gets a token per call that names the agent, the tool and the arguments, and verifies against the JWKS", async () => {
    const client = await connectors[era]();
    const args = { id: `r-${era}` };
    const before = Math.floor(Date.now() / 1000);
    const result = await client.callTool({ name: whoami, arguments: args });
    expect(result.isError ?? false).toBe(false);
    const { claims } = result.structuredContent as { claims: Record<string, unknown> };
    const agent = await db().agent.findUniqueOrThrow({ where: { id: agentId } });
    expect(claims).toMatchObject({
      iss: gateway.origin,
      aud: fixture.url,
      sub: agentId,
      toolgate_agent_name: agent.name,
      scope: "whoami",
      toolgate_args_sha256: argumentsHash(args),
    });
    expect(claims.act).toBeUndefined();
    expect(typeof claims.jti).toBe("string");
    const [iat, exp] = [claims.iat as number, claims.exp as number];
    expect(exp - iat).toBeLessThanOrEqual(300);
    expect(exp - iat).toBe(upstreamTokenSeconds);
    expect(iat).toBeGreaterThanOrEqual(before - 1);
    await client.close();
  });
});

describe("what reaches the backend", () => {
  it("never the client's token nor the stored header: every request carries a verified token of its own", async () => {
    const client = await connectors.legacy();
    await client.callTool({ name: whoami, arguments: { id: "a" } });
    await client.callTool({ name: whoami, arguments: { id: "a" } });
    await client.close();
    expect(fixture.seen.length).toBeGreaterThan(0);
    for (const request of fixture.seen) {
      expect(request.authorization).toMatch(/^Bearer ey/);
      expect(request.authorization).not.toContain(key);
      expect(request.claims, `${request.httpMethod} ${request.rpcMethod ?? ""}`).toBeDefined();
      expect(request.headers["x-backend-key"]).toBeUndefined();
    }
    // The session's own requests carry the session scope; each call its tool and a token never reused.
    const calls = fixture.seen.filter((request) => request.rpcMethod === "tools/call");
    expect(calls.every((request) => request.claims?.scope === "whoami")).toBe(true);
    expect(new Set(calls.map((request) => request.claims?.jti)).size).toBe(calls.length);
    expect(fixture.seen.find((request) => request.rpcMethod === "initialize")?.claims?.scope).toBe(sessionScope);
  });

  it("refuses a token for another audience", async () => {
    const otherAudience = await fetch(fixture.url, {
      method: "POST",
      headers: { authorization: `Bearer ${await mintFor("http://127.0.0.1:1/mcp")}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    expect(otherAudience.status).toBe(401);
  });

  it("names the person an agent acts for in `act`, on a session of its own", async () => {
    const pool = new BackendPool({ policy: { allow: ["127.0.0.0/8", "::1/128"] } });
    try {
      const backend = { serverId: randomUUID(), serverName: "com.example/minted", versionId: randomUUID(), version: "1.0.0", endpointUrl: fixture.url, upstreamAuth: "minted" as const };
      const agent = { agentId: "agent-act", name: "acting agent", onBehalfOf: { subject: "user-alice" } };
      const result = await pool.callTool(backend, "whoami", { id: "x" }, { readOnly: true, agent });
      expect((result.structuredContent as { claims: Record<string, unknown> }).claims).toMatchObject({ sub: "agent-act", act: { sub: "user-alice" }, scope: "whoami" });
    } finally {
      await pool.close();
    }
  });
});

async function mintFor(audience: string): Promise<string> {
  const { mintUpstreamToken } = await import("@/lib/signing/upstream-token");
  return mintUpstreamToken({ audience, scope: sessionScope });
}

describe("the published keys", () => {
  it("are served at /.well-known/jwks.json and verify what the gateway mints", async () => {
    const response = await jwksRoute();
    expect(response.status).toBe(200);
    const body = (await response.json()) as Awaited<ReturnType<typeof signingKeySet>>;
    expect(body).toEqual(await signingKeySet());
    const token = await mintFor(fixture.url);
    const { kid } = JSON.parse(Buffer.from(token.split(".")[0]!, "base64url").toString()) as { kid: string };
    expect(body.keys.map((jwk) => jwk.kid)).toContain(kid);
    expect(decodeJwt(token).exp! - decodeJwt(token).iat!).toBeLessThanOrEqual(300);
  });
});

describe("the owner's choice", () => {
  const details = {
    title: "Minted",
    purpose: "Minted upstream credentials.",
    environments: ["dev"],
    classification: "internal",
  };

  it("refuses an unknown mode, a wrong type and control characters", () => {
    for (const upstreamAuth of ["bogus", 1, ["minted"], "minted\u0000", "x".repeat(10_000)]) {
      const parsed = serverDetailsSchema.safeParse({ ...details, teamId: randomUUID(), upstreamAuth });
      expect(parsed.success, JSON.stringify(upstreamAuth).slice(0, 20)).toBe(false);
      expect(parsed.error?.issues.some((issue) => issue.path[0] === "upstreamAuth")).toBe(true);
    }
    expect(serverDetailsSchema.parse({ ...details, teamId: randomUUID() }).upstreamAuth).toBe("static");
  });

  it("is set at registration and changed in an edit, audited like any other field; imports list tools with a minted token", async () => {
    const owner = await makeUser(["owner"]);
    const team = await makeTeam([owner]);
    const strict = await startUpstreamFixture();
    strict.requireMintedTokens({ jwksUrl: `${gateway.origin}/.well-known/jwks.json`, issuer: gateway.origin });
    try {
      const { id } = await registerServer(owner, { ...details, name: `com.example/minted-${randomUUID().slice(0, 8)}`, teamId: team.id, endpointUrl: strict.url, upstreamAuth: "minted", version: { version: "1.0.0" } });
      expect((await db().server.findUniqueOrThrow({ where: { id } })).upstreamAuth).toBe("minted");
      await importVersion(owner, id, { version: "1.1.0" });
      // Both imports listed the tools as the gateway itself, on tokens the backend verified.
      const listings = strict.seen.filter((request) => request.rpcMethod === "tools/list");
      expect(listings).toHaveLength(2);
      expect(listings.every((request) => request.claims?.sub === gatewaySubject && request.claims.scope === sessionScope)).toBe(true);
      await updateServerDetails(owner, id, { ...details, teamId: team.id, upstreamAuth: "static" });
      expect((await db().server.findUniqueOrThrow({ where: { id } })).upstreamAuth).toBe("static");
      const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "server.update", targetId: id } });
      expect((audit.details as { fields: string[] }).fields).toContain("upstreamAuth");
      // Another team's owner may not change it.
      const stranger = await makeUser(["owner"]);
      await expect(updateServerDetails(stranger, id, { ...details, teamId: team.id, upstreamAuth: "minted" })).rejects.toThrow();
      expect((await db().server.findUniqueOrThrow({ where: { id } })).upstreamAuth).toBe("static");
    } finally {
      await strict.close();
    }
  });
});

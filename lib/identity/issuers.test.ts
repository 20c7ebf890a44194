import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { applyOutboundAllow, loopbackRanges } from "@/lib/net/outbound";
import { type AuthorizationServer, startAuthorizationServer } from "@/test/authorization-server";
import { makeUser } from "@/test/factories";
import { closeServer, listenOnLoopback } from "@/test/loopback";
import { DiscoveryError, metadataUrls } from "./discovery";
import { listIssuers, registerIssuer, removeIssuer, setIssuerEnabled } from "./issuers";
import { enabledIssuers } from "./trusted";

type Person = Awaited<ReturnType<typeof makeUser>>;
let admin: Person;
let idp: AuthorizationServer;
let impostor: http.Server;
let impostorUrl: string;

beforeAll(async () => {
  applyOutboundAllow(loopbackRanges);
  admin = await makeUser(["admin"]);
  idp = await startAuthorizationServer({ audience: "http://127.0.0.1:1/mcp", clients: [] });
  // A metadata document that vouches for another issuer.
  impostor = http.createServer((_request, response) => {
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ issuer: idp.issuer, jwks_uri: `${idp.issuer}/jwks` }));
  });
  impostorUrl = await listenOnLoopback(impostor);
});

afterAll(async () => {
  await idp.close();
  await closeServer(impostor);
});

describe("trusted issuers", () => {
  it("looks for RFC 8414 metadata first, then OpenID discovery", () => {
    expect(metadataUrls("https://idp.example/realms/a")).toEqual([
      "https://idp.example/.well-known/oauth-authorization-server/realms/a",
      "https://idp.example/realms/a/.well-known/openid-configuration",
    ]);
    expect(metadataUrls("https://idp.example")).toEqual(["https://idp.example/.well-known/oauth-authorization-server", "https://idp.example/.well-known/openid-configuration"]);
  });

  it("registers an issuer from its discovery document, audited, and lists it as enabled", async () => {
    const created = await registerIssuer(admin, { issuer: idp.issuer, displayName: "Test IdP" });
    expect(created).toMatchObject({ issuer: idp.issuer, displayName: "Test IdP", jwksUri: `${idp.issuer}/jwks`, enabled: true });
    expect(created.metadataUrl).toBe(`${idp.issuer}/.well-known/oauth-authorization-server`);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "identity.issuer.register", targetId: created.id } });
    expect(event.details).toMatchObject({ issuer: idp.issuer });
    expect((await listIssuers(admin)).map((row) => row.issuer)).toContain(idp.issuer);
    expect((await enabledIssuers()).has(idp.issuer)).toBe(true);
    await expect(registerIssuer(admin, { issuer: idp.issuer })).rejects.toThrow(ConflictError);
  });

  it("refuses a document that names another issuer, and an address that has no metadata", async () => {
    await expect(registerIssuer(admin, { issuer: impostorUrl })).rejects.toThrow(/names the issuer/);
    await expect(registerIssuer(admin, { issuer: `${idp.issuer}/nowhere` })).rejects.toThrow(DiscoveryError);
  });

  it("parses the input: an http(s) URL without query, fragment or credentials", async () => {
    await expect(registerIssuer(admin, { issuer: "ftp://idp.example" })).rejects.toThrow(ValidationError);
    await expect(registerIssuer(admin, { issuer: "https://idp.example/?tenant=a" })).rejects.toThrow(ValidationError);
    await expect(registerIssuer(admin, { issuer: 42 })).rejects.toThrow(ValidationError);
  });

  it("fetches through the outbound rule: a private address is refused unless allowed", async () => {
    applyOutboundAllow([]);
    try {
      await expect(registerIssuer(admin, { issuer: idp.issuer.replace("127.0.0.1", "127.0.0.2") })).rejects.toThrow(/loopback address/);
    } finally {
      applyOutboundAllow(loopbackRanges);
    }
  });

  it("lets only administrators manage issuers, and audits the refusal", async () => {
    const owner = await makeUser(["owner"]);
    await expect(registerIssuer(owner, { issuer: idp.issuer })).rejects.toThrow(ForbiddenError);
    await expect(listIssuers(owner)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { action: "identity.manage", outcome: "denied", actorId: owner.id } })).toBe(2);
  });

  it("disables, enables and removes an issuer, each audited", async () => {
    const row = (await listIssuers(admin)).find((issuer) => issuer.issuer === idp.issuer)!;
    await setIssuerEnabled(admin, { issuerId: row.id, enabled: false, reason: "Rotating tenants." });
    expect((await enabledIssuers()).has(idp.issuer)).toBe(false);
    await expect(setIssuerEnabled(admin, { issuerId: row.id, enabled: false, reason: "Again." })).rejects.toThrow(ConflictError);
    await setIssuerEnabled(admin, { issuerId: row.id, enabled: true, reason: "Back on." });
    await removeIssuer(admin, { issuerId: row.id });
    expect(await db().trustedIssuer.count({ where: { id: row.id } })).toBe(0);
    const actions = (await db().auditEvent.findMany({ where: { targetId: row.id }, orderBy: { id: "asc" } })).map((event) => event.action);
    expect(actions).toEqual(["identity.issuer.register", "identity.issuer.disable", "identity.issuer.enable", "identity.issuer.remove"]);
  });
});

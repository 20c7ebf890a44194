import { beforeAll, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents/agents";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeTeam, makeUser } from "@/test/factories";
import { bindTokenSubject, boundIssuersOf, tokenBindingsOf, unbindTokenSubject } from "./bindings";

type Person = Awaited<ReturnType<typeof makeUser>>;
let admin: Person;
let agentId: string;
let issuerId: string;

beforeAll(async () => {
  admin = await makeUser(["admin"]);
  const teamId = (await makeTeam([admin])).id;
  agentId = (await createAgent(admin, { name: "token-bot", teamId, environment: "prod" })).id;
  // Registered directly: discovery is tested in ./issuers.test.ts.
  issuerId = (await db().trustedIssuer.create({ data: { issuer: "https://idp.example", displayName: "IdP", jwksUri: "https://idp.example/jwks", metadataUrl: "https://idp.example/.well-known/openid-configuration" } })).id;
});

describe("binding token clients to agents", () => {
  it("binds a client_id and a sub, audited, one agent per (issuer, kind, subject)", async () => {
    const binding = await bindTokenSubject(admin, { agentId, issuerId, kind: "client_id", subject: " ci-bot " });
    expect(binding).toMatchObject({ agentId, issuerId, kind: "client_id", subject: "ci-bot" });
    await bindTokenSubject(admin, { agentId, issuerId, kind: "sub", subject: "svc-ci" });
    await expect(bindTokenSubject(admin, { agentId, issuerId, kind: "client_id", subject: "ci-bot" })).rejects.toThrow(ConflictError);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "agent.token.bind", targetId: agentId } });
    expect(event.details).toMatchObject({ issuer: "https://idp.example", kind: "client_id", subject: "ci-bot" });
    expect((await tokenBindingsOf(admin, { agentId })).map((row) => `${row.kind}:${row.subject}`)).toEqual(["client_id:ci-bot", "sub:svc-ci"]);
  });

  it("parses the input and refuses unknown issuers and agents", async () => {
    await expect(bindTokenSubject(admin, { agentId, issuerId, kind: "azp", subject: "x" })).rejects.toThrow(ValidationError);
    await expect(bindTokenSubject(admin, { agentId, issuerId, kind: "sub", subject: "a\u202eb" })).rejects.toThrow(ValidationError);
    await expect(bindTokenSubject(admin, { agentId, issuerId: crypto.randomUUID(), kind: "sub", subject: "x" })).rejects.toThrow(NotFoundError);
    await expect(bindTokenSubject(admin, { agentId: crypto.randomUUID(), issuerId, kind: "sub", subject: "x" })).rejects.toThrow(NotFoundError);
  });

  it("lets only administrators bind, audited, and unbinds", async () => {
    const owner = await makeUser(["owner"]);
    await expect(bindTokenSubject(owner, { agentId, issuerId, kind: "sub", subject: "mine-now" })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { action: "identity.manage", outcome: "denied", actorId: owner.id } })).toBe(1);
    const binding = await bindTokenSubject(admin, { agentId, issuerId, kind: "client_id", subject: "temporary" });
    await expect(unbindTokenSubject(owner, { bindingId: binding.id })).rejects.toThrow(ForbiddenError);
    await unbindTokenSubject(admin, { bindingId: binding.id });
    await expect(unbindTokenSubject(admin, { bindingId: binding.id })).rejects.toThrow(NotFoundError);
    expect(await db().auditEvent.count({ where: { action: "agent.token.unbind", targetId: agentId } })).toBe(1);
  });
});

describe("boundIssuersOf", () => {
  it("tells whoever may see the agent its bindings with the issuer's metadata, for the connection guide", async () => {
    const binding = await bindTokenSubject(admin, { agentId, issuerId, kind: "client_id", subject: "guide-bot" });
    const teamOwner = await makeUser(["owner"]);
    await db().teamMember.create({ data: { teamId: (await db().agent.findUniqueOrThrow({ where: { id: agentId } })).teamId, userId: teamOwner.id } });
    expect(await boundIssuersOf(teamOwner, { agentId })).toContainEqual({
      kind: "client_id",
      subject: "guide-bot",
      issuer: "https://idp.example",
      metadataUrl: "https://idp.example/.well-known/openid-configuration",
      enabled: true,
    });
    await unbindTokenSubject(admin, { bindingId: binding.id });
  });

  it("refuses, and audits, an owner of another team, and parses the input", async () => {
    const stranger = await makeUser(["owner"]);
    await makeTeam([stranger]);
    await expect(boundIssuersOf(stranger, { agentId })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: stranger.id, outcome: "denied", targetId: agentId } })).toBe(1);
    await expect(boundIssuersOf(admin, { agentId: "token-bot" })).rejects.toThrow(ValidationError);
    await expect(boundIssuersOf(admin, { agentId: "\u0000\u202e" })).rejects.toThrow(ValidationError);
    await expect(boundIssuersOf(admin, { agentId: 42 })).rejects.toThrow(ValidationError);
    await expect(boundIssuersOf(admin, { agentId: crypto.randomUUID() })).rejects.toThrow(NotFoundError);
  });
});

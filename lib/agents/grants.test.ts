import { beforeEach, describe, expect, it } from "vitest";
import { updateServerDetails } from "@/lib/catalog/edit";
import { governingRiskTier } from "@/lib/catalog/risk";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import type { RiskTier } from "@/lib/generated/prisma/client";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { createAgent } from "./agents";
import { activeGrants, decideGrant, grantableServers, grantAccess, pendingGrants, revokeGrant } from "./grants";

type Person = Awaited<ReturnType<typeof makeUser>>;
let owner: Person;
let approver: Person;
let agent: { id: string; name: string };

const hour = 60 * 60 * 1000;
let counter = 0;

async function serverOfTier(riskTier: RiskTier | null, teamId?: string) {
  const server = await makeServer({
    teamId,
    versions: [
      { version: "1.0.0", status: "certified", tools: [{ name: "read_record" }] },
      { version: "1.1.0", status: "draft", tools: [{ name: "read_record" }, { name: "delete_record" }] },
    ],
  });
  await db().server.update({ where: { id: server.id }, data: { riskTier } });
  return server;
}

const statusOf = async (id: string) => (await db().grant.findUniqueOrThrow({ where: { id } })).status;
const auditActions = async () => (await db().auditEvent.findMany({ where: { targetId: agent.id, outcome: "success" }, orderBy: { id: "asc" } })).map((event) => event.action);

beforeEach(async () => {
  owner = await makeUser(["owner"]);
  approver = await makeUser(["approver"]);
  const team = await makeTeam([owner]);
  agent = await createAgent(owner, { name: `agent-${++counter}`, teamId: team.id, environment: "prod" });
});

describe("grants", () => {
  it("takes effect at once for a low-risk server", async () => {
    const server = await serverOfTier("low");
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id });
    expect(grant.status).toBe("active");
    expect(await activeGrants(agent.id)).toEqual([{ serverId: server.id, tools: [], expiresAt: null }]);
    expect(await auditActions()).toEqual(["agent.create", "grant.request"]);
  });

  it("waits for an approver for a high-risk server, then is active", async () => {
    const server = await serverOfTier("high");
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id, tools: ["read_record"] });
    expect(grant.status).toBe("pending");
    expect(await activeGrants(agent.id)).toEqual([]);
    const pending = await pendingGrants();
    expect(pending.map((g) => g.id)).toEqual([grant.id]);
    expect(pending[0]).toMatchObject({ agent: { name: agent.name }, server: { riskTier: "high" }, requestedBy: { email: owner.email } });

    await expect(decideGrant(approver, { grantId: grant.id, decision: "approve", reason: "" })).rejects.toThrow(ValidationError);
    await decideGrant(approver, { grantId: grant.id, decision: "approve", reason: "Needed for support." });
    expect(await activeGrants(agent.id)).toEqual([{ serverId: server.id, tools: ["read_record"], expiresAt: null }]);
    expect(await db().grant.findUniqueOrThrow({ where: { id: grant.id } })).toMatchObject({ decidedById: approver.id, decisionReason: "Needed for support." });
    await expect(decideGrant(approver, { grantId: grant.id, decision: "deny", reason: "Changed my mind." })).rejects.toThrow(ConflictError);
    expect(await auditActions()).toEqual(["agent.create", "grant.request", "grant.approve"]);
  });

  it("a denial leaves the agent without access, with the reason kept", async () => {
    const server = await serverOfTier("critical");
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id });
    await decideGrant(approver, { grantId: grant.id, decision: "deny", reason: "Too broad." });
    expect(await statusOf(grant.id)).toBe("denied");
    expect(await activeGrants(agent.id)).toEqual([]);
    expect(await pendingGrants()).toEqual([]);
    // A denied grant is closed, so the agent may ask again.
    expect((await grantAccess(owner, { agentId: agent.id, serverId: server.id, tools: ["read_record"] })).status).toBe("pending");
  });

  it("keeps separation of duties: no deciding one's own request or a server one owns", async () => {
    const ownerApprover = await makeUser(["owner", "approver"]);
    const serverTeam = await makeTeam([ownerApprover]);
    const owned = await serverOfTier("high", serverTeam.id);
    const first = await grantAccess(owner, { agentId: agent.id, serverId: owned.id });
    await expect(decideGrant(ownerApprover, { grantId: first.id, decision: "approve", reason: "Mine, fine." })).rejects.toThrow(/Separation of duties/);
    expect(await db().auditEvent.count({ where: { actorId: ownerApprover.id, action: "grants.decide", outcome: "denied" } })).toBe(1);

    const adminApprover = await makeUser(["admin", "approver"]);
    const other = await serverOfTier("high");
    const second = await grantAccess(adminApprover, { agentId: agent.id, serverId: other.id });
    await expect(decideGrant(adminApprover, { grantId: second.id, decision: "approve", reason: "I asked." })).rejects.toThrow(/you requested/);
    // Every refusal is audited, the requester's own decision included.
    const refusal = await db().auditEvent.findFirstOrThrow({ where: { actorId: adminApprover.id, action: "grants.decide", outcome: "denied" } });
    expect(refusal).toMatchObject({ targetType: "agent", targetId: agent.id, reason: "separation of duties: requester of the grant" });
    await expect(decideGrant(owner, { grantId: second.id, decision: "approve", reason: "Not an approver." })).rejects.toThrow(ForbiddenError);
    expect(await statusOf(first.id)).toBe("pending");
    expect(await statusOf(second.id)).toBe("pending");
  });

  it("just-in-time access ends at its expiry", async () => {
    const server = await serverOfTier("medium");
    const expiresAt = new Date(Date.now() + hour);
    await grantAccess(owner, { agentId: agent.id, serverId: server.id, expiresAt });
    expect(await activeGrants(agent.id)).toEqual([{ serverId: server.id, tools: [], expiresAt }]);
    expect(await activeGrants(agent.id, new Date(Date.now() + 2 * hour))).toEqual([]);
    await expect(grantAccess(owner, { agentId: agent.id, serverId: server.id, expiresAt: new Date(Date.now() - hour) })).rejects.toThrow(/in the future/);
  });

  it("refuses to approve a grant that expired while waiting", async () => {
    const server = await serverOfTier("high");
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id, expiresAt: new Date(Date.now() + hour) });
    await db().grant.update({ where: { id: grant.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(decideGrant(approver, { grantId: grant.id, decision: "approve", reason: "Late." })).rejects.toThrow(/expired/);
  });

  it("revokes with a reason; a revoked grant gives no access and a new grant may follow", async () => {
    const server = await serverOfTier("low");
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id });
    await expect(grantAccess(owner, { agentId: agent.id, serverId: server.id })).rejects.toThrow(ConflictError);
    await expect(revokeGrant(owner, { grantId: grant.id })).rejects.toThrow(ValidationError);
    await revokeGrant(owner, { grantId: grant.id, reason: "Project ended." });
    expect(await statusOf(grant.id)).toBe("revoked");
    expect(await activeGrants(agent.id)).toEqual([]);
    await expect(revokeGrant(owner, { grantId: grant.id, reason: "Again." })).rejects.toThrow(ConflictError);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "grant.revoke", targetId: agent.id } });
    expect(event.reason).toBe("Project ended.");
    expect((await grantAccess(owner, { agentId: agent.id, serverId: server.id })).status).toBe("active");
  });

  it("refuses tools the server never had, and accepts tools of any version", async () => {
    const server = await serverOfTier("low");
    const attempt = grantAccess(owner, { agentId: agent.id, serverId: server.id, tools: ["read_record", "format_disk"] });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow("has no tool named format_disk");
    expect(await db().grant.count({ where: { agentId: agent.id } })).toBe(0);
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id, tools: ["delete_record", "read_record", "delete_record"] });
    expect((await db().grant.findUniqueOrThrow({ where: { id: grant.id } })).tools).toEqual(["delete_record", "read_record"]);
  });

  it("lets administrators and the agent's team grant, nobody else", async () => {
    const server = await serverOfTier("low");
    const outsider = await makeUser(["owner"]);
    await expect(grantAccess(outsider, { agentId: agent.id, serverId: server.id })).rejects.toThrow(ForbiddenError);
    await expect(grantAccess(approver, { agentId: agent.id, serverId: server.id })).rejects.toThrow(ForbiddenError);
    await expect(grantAccess(owner, { agentId: agent.id, serverId: "00000000-0000-4000-8000-000000000000" })).rejects.toThrow(NotFoundError);
    const admin = await makeUser(["admin"]);
    const grant = await grantAccess(admin, { agentId: agent.id, serverId: server.id });
    await expect(revokeGrant(outsider, { grantId: grant.id, reason: "Not mine." })).rejects.toThrow(ForbiddenError);
    expect(await statusOf(grant.id)).toBe("active");
  });
});

describe("the risk tier that governs a grant", () => {
  const details = (teamId: string, riskTier: RiskTier) => ({
    title: "Records",
    purpose: "Testing.",
    teamId,
    environments: ["dev", "staging", "prod"],
    classification: "internal",
    riskTier,
  });

  it("is the reviewer's tier on the certified version, not the tier the owner edits on the entry", async () => {
    const team = await db().agent.findUniqueOrThrow({ where: { id: agent.id }, select: { teamId: true } });
    // The owner owns a server a reviewer certified as critical, and has imported a new draft of it.
    const server = await serverOfTier("critical", team.teamId);
    await db().serverVersion.update({ where: { id: server.versionIds[0] }, data: { riskTier: "critical" } });
    await updateServerDetails(owner, server.id, details(team.teamId, "low"));
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).riskTier).toBe("low");

    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id });
    expect(grant.status).toBe("pending");
    expect(await activeGrants(agent.id)).toEqual([]);
    expect((await pendingGrants())[0]).toMatchObject({ server: { riskTier: "critical" } });
    expect((await grantableServers()).find((s) => s.id === server.id)).toMatchObject({ riskTier: "critical" });
  });

  it("is the strictest across the versions an agent could be served, and the owner's tier only raises it", async () => {
    const strict = await makeServer({ versions: [{ version: "1.0.0", status: "deprecated" }, { version: "2.0.0", status: "certified" }, { version: "3.0.0", status: "rejected" }] });
    await db().serverVersion.update({ where: { id: strict.versionIds[0] }, data: { riskTier: "high" } });
    await db().serverVersion.update({ where: { id: strict.versionIds[1] }, data: { riskTier: "low" } });
    await db().serverVersion.update({ where: { id: strict.versionIds[2] }, data: { riskTier: "critical" } });
    await db().server.update({ where: { id: strict.id }, data: { riskTier: "low" } });
    expect(await governingRiskTier(strict.id)).toBe("high");
    expect((await grantAccess(owner, { agentId: agent.id, serverId: strict.id })).status).toBe("pending");

    const declared = await makeServer({ versions: [{ version: "1.0.0", status: "certified" }] });
    await db().serverVersion.update({ where: { id: declared.versionIds[0] }, data: { riskTier: "medium" } });
    await db().server.update({ where: { id: declared.id }, data: { riskTier: "critical" } });
    expect(await governingRiskTier(declared.id)).toBe("critical");
    expect((await grantAccess(owner, { agentId: agent.id, serverId: declared.id })).status).toBe("pending");
  });
});

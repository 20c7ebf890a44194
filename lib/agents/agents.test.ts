import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { createAgent, listAgents, setAgentDisabled, setAgentToolDiscovery } from "./agents";
import { grantAccess } from "./grants";
import { createApiKey } from "./keys";

describe("agents", () => {
  it("an owner creates an agent for their team, audited; the list shows its keys (no hashes) and grants", async () => {
    const owner = await makeUser(["owner"]);
    const team = await makeTeam([owner], "Support");
    const agent = await createAgent(owner, { name: "support-bot", description: "Answers tickets.", teamId: team.id, environment: "prod" });
    const { prefix } = await createApiKey(owner, { agentId: agent.id, label: "ci" });
    const server = await makeServer({ teamId: team.id });
    await grantAccess(owner, { agentId: agent.id, serverId: server.id });

    const [listed] = await listAgents(owner);
    expect(listed).toMatchObject({ name: "support-bot", description: "Answers tickets.", teamName: "Support", environment: "prod", disabled: false });
    expect(listed!.keys).toEqual([expect.objectContaining({ prefix, label: "ci", revokedAt: null, lastUsedAt: null })]);
    expect(listed!.keys[0]).not.toHaveProperty("keyHash");
    expect(listed!.grants).toEqual([expect.objectContaining({ status: "active", tools: [], server: expect.objectContaining({ name: server.name }) })]);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "agent.create" } });
    expect(event).toMatchObject({ actorId: owner.id, targetType: "agent", targetId: agent.id, outcome: "success" });
  });

  it("administrators create agents for any team and see every agent; owners see only their teams'", async () => {
    const admin = await makeUser(["admin"]);
    const mine = await makeUser(["owner"]);
    const theirs = await makeUser(["owner"]);
    const [teamA, teamB] = [await makeTeam([mine]), await makeTeam([theirs])];
    await createAgent(admin, { name: "bot.a", teamId: teamA.id, environment: "dev" });
    await createAgent(admin, { name: "bot_b", teamId: teamB.id, environment: "staging" });
    await expect(createAgent(mine, { name: "sneaky", teamId: teamB.id, environment: "dev" })).rejects.toThrow(ForbiddenError);
    expect((await listAgents(admin)).map((a) => a.name)).toEqual(expect.arrayContaining(["bot.a", "bot_b"]));
    expect((await listAgents(mine)).map((a) => a.name)).toEqual(["bot.a"]);
    expect((await listAgents(theirs)).map((a) => a.name)).toEqual(["bot_b"]);
    await expect(listAgents(await makeUser(["reviewer"]))).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: mine.id, outcome: "denied" } })).toBe(1);
  });

  it.each([
    ["too short", { name: "ab" }, /at least 3/],
    ["too long", { name: "a".repeat(101) }, /at most 100/],
    ["spaces", { name: "support bot" }, /letters, digits and \. _ - only/],
    ["a path", { name: "../etc" }, /letters, digits and \. _ - only/],
    ["an unknown environment", { environment: "qa" }, /dev, staging or prod/],
    ["no team", { teamId: "" }, /owning team/],
  ])("refuses %s", async (_case, change, message) => {
    const admin = await makeUser(["admin"]);
    const team = await makeTeam();
    await expect(createAgent(admin, { name: "good-name", teamId: team.id, environment: "dev", ...change })).rejects.toThrow(ValidationError);
    await expect(createAgent(admin, { name: "good-name", teamId: team.id, environment: "dev", ...change })).rejects.toThrow(message);
    expect(await db().agent.count({ where: { teamId: team.id } })).toBe(0);
  });

  it("refuses a duplicate name and an unknown team", async () => {
    const admin = await makeUser(["admin"]);
    const team = await makeTeam();
    await createAgent(admin, { name: "twin", teamId: team.id, environment: "dev" });
    await expect(createAgent(admin, { name: "twin", teamId: team.id, environment: "prod" })).rejects.toThrow(ConflictError);
    await expect(createAgent(admin, { name: "orphan", teamId: "00000000-0000-4000-8000-000000000000", environment: "dev" })).rejects.toThrow(NotFoundError);
  });

  it("disables and enables an agent, audited, only for its team or administrators", async () => {
    const owner = await makeUser(["owner"]);
    const outsider = await makeUser(["owner"]);
    const team = await makeTeam([owner]);
    const agent = await createAgent(owner, { name: "pausable", teamId: team.id, environment: "dev" });
    await expect(setAgentDisabled(outsider, { agentId: agent.id, disabled: true })).rejects.toThrow(ForbiddenError);
    expect((await setAgentDisabled(owner, { agentId: agent.id, disabled: true })).disabled).toBe(true);
    expect((await setAgentDisabled(owner, { agentId: agent.id, disabled: false })).disabled).toBe(false);
    const actions = (await db().auditEvent.findMany({ where: { targetId: agent.id, outcome: "success" }, orderBy: { id: "asc" } })).map((e) => e.action);
    expect(actions).toEqual(["agent.create", "agent.disable", "agent.enable"]);
  });

  it("sets what the agent's tools/list shows, audited, only for its team or administrators; refuses anything but all or search", async () => {
    const owner = await makeUser(["owner"]);
    const outsider = await makeUser(["owner"]);
    const team = await makeTeam([owner]);
    const agent = await createAgent(owner, { name: "searcher", teamId: team.id, environment: "dev" });
    await expect(setAgentToolDiscovery(outsider, { agentId: agent.id, toolDiscovery: "search" })).rejects.toThrow(ForbiddenError);
    for (const bad of ["everything", "", 1, null, "search\n", "SEARCH"]) {
      await expect(setAgentToolDiscovery(owner, { agentId: agent.id, toolDiscovery: bad })).rejects.toThrow(ValidationError);
    }
    await expect(setAgentToolDiscovery(owner, { agentId: "not-a-uuid", toolDiscovery: "search" })).rejects.toThrow(ValidationError);
    expect((await setAgentToolDiscovery(owner, { agentId: agent.id, toolDiscovery: "search" })).toolDiscovery).toBe("search");
    expect((await listAgents(owner)).find((listed) => listed.id === agent.id)?.toolDiscovery).toBe("search");
    const event = await db().auditEvent.findFirstOrThrow({ where: { targetId: agent.id, action: "agent.tool-discovery" } });
    expect(event).toMatchObject({ actorId: owner.id, outcome: "success", details: { from: "all", to: "search" } });
  });
});

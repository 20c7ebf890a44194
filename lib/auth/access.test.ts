import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { assertNotOwner, authorizeOwned, authorizeSeparated, may, ownsServer, type Rule, rules, type Standing, standing, teamsInScope } from "./access";
import { type Role, roles } from "./roles";

// Written out by hand on purpose, like lib/auth/authorize.test.ts: for each rule and role, how a person
// holding only that role stands to something owned by a team they belong to ("member") and by a team
// they do not ("stranger"). null means refused.
type Row = Record<Role, { member: Standing | null; stranger: Standing | null }>;
const refused = { member: null, stranger: null };
const teamOnly = { member: "member", stranger: null } as const;
const anyTeam = { member: "member", stranger: "any team" } as const;

const expected: Record<Rule, Row> = {
  "server.register": { admin: refused, owner: teamOnly, reviewer: refused, approver: refused },
  "server.edit": { admin: refused, owner: teamOnly, reviewer: refused, approver: refused },
  "evidence.add": { admin: refused, owner: teamOnly, reviewer: anyTeam, approver: refused },
  "agent.view": { admin: anyTeam, owner: teamOnly, reviewer: refused, approver: refused },
  "agent.manage": { admin: anyTeam, owner: teamOnly, reviewer: refused, approver: refused },
  "bundle.define": { admin: anyTeam, owner: teamOnly, reviewer: refused, approver: refused },
};

const ownTeam = "00000000-0000-4000-8000-00000000000a";
const otherTeam = "00000000-0000-4000-8000-00000000000b";
const actorWith = (...held: Role[]) => ({ id: "00000000-0000-4000-8000-000000000001", email: "a@example.com", roles: held });

describe("ownership matrix", () => {
  it("covers every scoped rule", () => {
    expect([...rules].sort()).toEqual(Object.keys(expected).sort());
  });

  const cases = rules.flatMap((rule) =>
    roles.flatMap((role) => (["member", "stranger"] as const).map((relation) => ({ rule, role, relation, allowed: expected[rule][role][relation] }))),
  );

  it.each(cases)("$role, $relation → $rule: $allowed", ({ rule, role, relation, allowed }) => {
    const teamId = relation === "member" ? ownTeam : otherTeam;
    expect(standing(actorWith(role), [ownTeam], rule, { teamId })).toBe(allowed);
  });

  it("refuses a person with no roles everything, even on their own team's things", () => {
    for (const rule of rules) expect(standing(actorWith(), [ownTeam], rule, { teamId: ownTeam })).toBeNull();
  });

  it("adds up several roles: an owner who is also a reviewer adds evidence anywhere, edits only their team's", () => {
    const both = actorWith("owner", "reviewer");
    expect(standing(both, [ownTeam], "evidence.add", { teamId: otherTeam })).toBe("any team");
    expect(standing(both, [ownTeam], "server.edit", { teamId: otherTeam })).toBeNull();
  });
});

describe("ownership checks against the database", () => {
  it("answer pages (may), narrow reads (teamsInScope) and refuse services with an audited 403", async () => {
    const [owner, admin, reviewer] = await Promise.all([makeUser(["owner"]), makeUser(["admin"]), makeUser(["reviewer"])]);
    const [mine, theirs] = await Promise.all([makeTeam([owner]), makeTeam([])]);

    expect(await may(owner, "server.edit", { teamId: mine.id })).toBe(true);
    expect(await may(owner, "server.edit", { teamId: theirs.id })).toBe(false);
    expect(await may(reviewer, "server.edit", { teamId: theirs.id })).toBe(false);
    expect(await teamsInScope(owner, "server.edit")).toEqual([mine.id]);
    expect(await teamsInScope(admin, "agent.manage")).toBe("all");
    expect(await teamsInScope(reviewer, "agent.manage")).toEqual([]);

    await expect(authorizeOwned(owner, "server.edit", { teamId: mine.id }, { type: "server" })).resolves.toBe("member");
    await expect(authorizeOwned(admin, "agent.manage", { teamId: theirs.id }, { type: "agent" })).resolves.toBe("any team");

    const target = { type: "server", id: "00000000-0000-4000-8000-0000000000c1" };
    await expect(authorizeOwned(owner, "server.edit", { teamId: theirs.id }, target)).rejects.toThrow(ForbiddenError);
    const event = await db().auditEvent.findFirstOrThrow({ where: { targetId: target.id } });
    expect(event).toMatchObject({ action: "catalog.edit", outcome: "denied", reason: "not a member of the owning team" });

    // The role is checked first: a reviewer editing is refused for the role, not for the team.
    await expect(authorizeOwned(reviewer, "server.edit", { teamId: theirs.id }, { type: "server", id: "00000000-0000-4000-8000-0000000000c2" })).rejects.toThrow(
      "this needs the role server owner",
    );
    const roleEvent = await db().auditEvent.findFirstOrThrow({ where: { targetId: "00000000-0000-4000-8000-0000000000c2" } });
    expect(roleEvent).toMatchObject({ action: "catalog.edit", reason: "missing role" });
  });
});

describe("separation of duties", () => {
  // Owning bars deciding, whatever the role: a named owner, a member of the owning team, not a stranger.
  const cases = roles.flatMap((role) => (["named owner", "team member", "stranger"] as const).map((relation) => ({ role, relation, owns: relation !== "stranger" })));

  it.each(cases)("$role, $relation: owns=$owns", async ({ role, relation, owns }) => {
    const person = await makeUser([role]);
    const team = await makeTeam(relation === "team member" ? [person] : []);
    const server = await makeServer({ teamId: team.id });
    if (relation === "named owner") await db().serverOwner.create({ data: { serverId: server.id, userId: person.id } });
    expect(await ownsServer(person.id, server.id)).toBe(owns);
    const decided = assertNotOwner(person, server.id, "reviews.decide");
    if (owns) await expect(decided).rejects.toThrow("Separation of duties: you own this server, so you cannot review, certify or approve it.");
    else await expect(decided).resolves.toBeUndefined();
  });

  // server.review, by hand: only a reviewer who does not own the server may claim, certify or reject it.
  const reviewCases = cases.map((c) => ({ ...c, allowed: c.role === "reviewer" && !c.owns }));

  it.each(reviewCases)("server.review: $role, $relation → $allowed, the page (may) and the service (authorizeSeparated) alike", async ({ role, relation, allowed }) => {
    const person = await makeUser([role]);
    const team = await makeTeam(relation === "team member" ? [person] : []);
    const server = await makeServer({ teamId: team.id });
    if (relation === "named owner") await db().serverOwner.create({ data: { serverId: server.id, userId: person.id } });
    expect(await may(person, "server.review", server)).toBe(allowed);
    const service = authorizeSeparated(person, "server.review", server);
    if (allowed) return void (await expect(service).resolves.toBeUndefined());
    await expect(service).rejects.toThrow(ForbiddenError);
    const refusal = await db().auditEvent.findFirstOrThrow({ where: { actorId: person.id, targetId: server.id } });
    expect(refusal).toMatchObject({ action: "reviews.decide", outcome: "denied", reason: role === "reviewer" ? "separation of duties: owner of the server" : "missing role" });
  });
});

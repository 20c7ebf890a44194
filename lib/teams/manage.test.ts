import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { createTeam, listTeams, setUserTeams, teamIdsOf } from "./manage";

describe("teams", () => {
  it("an administrator creates teams and sets a person's teams, audited", async () => {
    const admin = await makeUser(["admin"]);
    const owner = await makeUser(["owner"]);
    const payments = await createTeam(admin, { name: "Payments" });
    const search = await createTeam(admin, { name: "Search & Discovery" });
    await setUserTeams(admin, { userId: owner.id, teamIds: [payments.id, search.id] });
    expect((await teamIdsOf(owner.id)).sort()).toEqual([payments.id, search.id].sort());
    await setUserTeams(admin, { userId: owner.id, teamIds: [search.id] });
    expect(await teamIdsOf(owner.id)).toEqual([search.id]);
    expect((await listTeams()).map((t) => t.name)).toEqual(expect.arrayContaining(["Payments", "Search & Discovery"]));
    const actions = (await db().auditEvent.findMany({ where: { actorId: admin.id } })).map((e) => e.action);
    expect(actions).toEqual(["team.create", "team.create", "user.teams.update", "user.teams.update"]);
  });

  it("refuses duplicates, bad names, unknown teams and non-administrators, changing nothing", async () => {
    const admin = await makeUser(["admin"]);
    const owner = await makeUser(["owner"]);
    await createTeam(admin, { name: "Platform" });
    await expect(createTeam(admin, { name: "Platform" })).rejects.toThrow(ConflictError);
    await expect(createTeam(admin, { name: "<script>" })).rejects.toThrow(ValidationError);
    await expect(setUserTeams(admin, { userId: owner.id, teamIds: ["00000000-0000-4000-8000-000000000000"] })).rejects.toThrow(NotFoundError);
    await expect(createTeam(owner, { name: "Mine" })).rejects.toThrow(ForbiddenError);
    await expect(setUserTeams(owner, { userId: owner.id, teamIds: [] })).rejects.toThrow(ForbiddenError);
    expect(await teamIdsOf(owner.id)).toEqual([]);
  });
});

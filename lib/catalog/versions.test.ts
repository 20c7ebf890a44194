import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { makeTeam, makeUser } from "@/test/factories";
import { defaultFixtureTools, type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { updateServerDetails } from "./edit";
import { getServer, getVersion, versionDiff } from "./read";
import { registerServer } from "./register";
import { importVersion } from "./versions";

let fixture: FixtureServer;
let owner: Awaited<ReturnType<typeof makeUser>>;
let team: { id: string };
let serverId: string;

const details = (teamId: string) => ({
  title: "Records",
  purpose: "Reads and deletes records.",
  teamId,
  environments: ["dev"],
  classification: "internal",
});

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools, pageSize: 1 });
  owner = await makeUser(["owner"]);
  team = await makeTeam([owner]);
  ({ id: serverId } = await registerServer(owner, {
    ...details(team.id),
    name: "com.example/records",
    endpointUrl: fixture.url,
    version: { version: "1.0.0" },
  }));
});
afterAll(() => fixture.close());

describe("importing a new version", () => {
  it("walks every page of tools/list", async () => {
    expect((await getVersion(serverId, "1.0.0")).tools).toHaveLength(defaultFixtureTools.length);
  });

  it("diffs per tool against the previous version, naming the changed fields", async () => {
    const [first, second, ...rest] = defaultFixtureTools as [FixtureTool, FixtureTool, ...FixtureTool[]];
    const changed = { ...first, description: `${first.description} Now with audit.`, annotations: { ...first.annotations, idempotentHint: true } };
    const added: FixtureTool = { name: "archive_record", description: "Archives a record.", inputSchema: { type: "object" } };
    fixture.setTools([changed, ...rest, added]);
    const diff = await importVersion(owner, serverId, { version: "1.1.0" });
    expect(diff.previous).toBe("1.0.0");
    expect(diff.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "changed", name: first.name, fields: ["description", "annotations"] }),
        { kind: "removed", name: second.name },
        { kind: "added", name: "archive_record" },
      ]),
    );
    const before = await getVersion(serverId, "1.0.0");
    const after = await getVersion(serverId, "1.1.0");
    const hashOf = (v: typeof before, name: string) => v.tools.find((t) => t.name === name)!.definitionHash;
    expect(hashOf(after, first.name)).not.toBe(hashOf(before, first.name));
    expect(await versionDiff(serverId, "1.0.0")).toMatchObject({ previous: null });
  });

  it("refuses a version that is not greater than the latest, or not semver", async () => {
    await expect(importVersion(owner, serverId, { version: "1.0.5" })).rejects.toThrow(ConflictError);
    await expect(importVersion(owner, serverId, { version: "v2" })).rejects.toThrow(ValidationError);
    expect((await getServer(serverId)).versions).toHaveLength(2);
  });

  it("refuses owners of other teams", async () => {
    const outsider = await makeUser(["owner"]);
    await makeTeam([outsider]);
    await expect(importVersion(outsider, serverId, { version: "9.0.0" })).rejects.toThrow(ForbiddenError);
  });
});

describe("a submitted version is immutable", () => {
  it("refuses changes to its definitions in the database itself", async () => {
    const version = await db().serverVersion.findFirstOrThrow({ where: { serverId, version: "1.0.0" } });
    await db().serverVersion.update({ where: { id: version.id }, data: { status: "submitted", submittedAt: new Date() } });
    await expect(db().versionTool.updateMany({ where: { versionId: version.id }, data: { description: "edited" } })).rejects.toThrow(/can no longer change/);
    await expect(db().versionTool.deleteMany({ where: { versionId: version.id } })).rejects.toThrow(/can no longer change/);
    await expect(db().serverVersion.update({ where: { id: version.id }, data: { mitigations: "edited" } })).rejects.toThrow(/can no longer change/);
    await expect(db().serverVersion.delete({ where: { id: version.id } })).rejects.toThrow(/cannot be deleted/);
    await expect(db().serverVersion.update({ where: { id: version.id }, data: { status: "draft" } })).rejects.toThrow(/cannot return to draft/);
  });

  it("while drafts can still be edited by the owning team", async () => {
    await updateServerDetails(owner, serverId, { ...details(team.id), title: "Records v2", riskTier: "high" });
    expect(await getServer(serverId)).toMatchObject({ title: "Records v2", riskTier: "high" });
  });

  it("and the entry's details freeze once the latest version is submitted", async () => {
    await db().serverVersion.updateMany({ where: { serverId }, data: { status: "submitted" } });
    await expect(updateServerDetails(owner, serverId, details(team.id))).rejects.toThrow(/import a new draft version/);
  });
});

describe("editing details", () => {
  it("refuses a move to a team the owner is not in", async () => {
    const other = await makeTeam();
    const draftOwner = await makeUser(["owner"]);
    const draftTeam = await makeTeam([draftOwner]);
    const { id } = await registerServer(draftOwner, { ...details(draftTeam.id), name: "com.example/move", endpointUrl: fixture.url, version: { version: "0.1.0" } });
    await expect(updateServerDetails(draftOwner, id, details(other.id))).rejects.toThrow(ForbiddenError);
    expect((await getServer(id)).teamId).toBe(draftTeam.id);
  });
});

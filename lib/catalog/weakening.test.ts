import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import type { VersionStatus } from "@/lib/generated/prisma/client";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { updateServerDetails } from "./edit";

// An owner edits the entry while a new draft is open; the edit must not weaken the gates of versions a
// reviewer has certified or is reviewing.

async function entry(reviewed: VersionStatus) {
  const owner = await makeUser(["owner"]);
  const team = await makeTeam([owner]);
  const tools = [{ name: "read_record" }, { name: "delete_record" }];
  const server = await makeServer({ teamId: team.id, classification: "confidential", versions: [{ version: "1.0.0", status: reviewed, tools }, { version: "1.1.0", tools }] });
  await db().server.update({ where: { id: server.id }, data: { approvalTools: { prod: ["delete_record"] }, sensitiveFields: ["ssn"] } });
  const details = {
    title: "Records",
    purpose: "Testing.",
    teamId: team.id,
    environments: ["dev", "staging", "prod"],
    classification: "confidential",
    approvalTools: { prod: ["delete_record"] },
    sensitiveFields: ["ssn"],
  };
  return { owner, server, details };
}

const refusals = (actorId: string) => db().auditEvent.count({ where: { actorId, action: "catalog.edit", outcome: "denied", reason: "would weaken a reviewed version's gate" } });

describe("an owner's edit of a reviewed entry", () => {
  it("cannot drop an approval requirement a certified version is served under, and the refusal is audited", async () => {
    const { owner, server, details } = await entry("certified");
    const dropped = updateServerDetails(owner, server.id, { ...details, approvalTools: {} });
    await expect(dropped).rejects.toThrow(ForbiddenError);
    await expect(dropped).rejects.toThrow(/delete_record needs approval in prod for version 1\.0\.0, which is certified/);
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).approvalTools).toEqual({ prod: ["delete_record"] });
    expect(await refusals(owner.id)).toBe(1);
    // Adding requirements, or any other change, is fine.
    await updateServerDetails(owner, server.id, { ...details, title: "Records v2", approvalTools: { prod: ["delete_record"], dev: ["delete_record"] } });
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).approvalTools).toEqual({ prod: ["delete_record"], dev: ["delete_record"] });
  });

  it("cannot unmask a sensitive field approvers of a certified version see masked, but may add one", async () => {
    const { owner, server, details } = await entry("deprecated");
    await expect(updateServerDetails(owner, server.id, { ...details, sensitiveFields: [] })).rejects.toThrow(/ssn is masked for approvers of version 1\.0\.0, which is deprecated/);
    await updateServerDetails(owner, server.id, { ...details, sensitiveFields: ["ssn", "customer.email"] });
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).sensitiveFields).toEqual(["ssn", "customer.email"]);
  });

  it("cannot lower the classification a version is being reviewed under, but may raise it", async () => {
    const { owner, server, details } = await entry("in_review");
    await expect(updateServerDetails(owner, server.id, { ...details, classification: "internal" })).rejects.toThrow(/being reviewed as confidential data/);
    await updateServerDetails(owner, server.id, { ...details, classification: "restricted" });
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).classification).toBe("restricted");
  });

  it("is free when no version was reviewed (rejected ones do not count)", async () => {
    const { owner, server, details } = await entry("rejected");
    await updateServerDetails(owner, server.id, { ...details, classification: "public", approvalTools: {}, sensitiveFields: [] });
    expect(await db().server.findUniqueOrThrow({ where: { id: server.id } })).toMatchObject({ classification: "public", approvalTools: {}, sensitiveFields: [] });
  });
});

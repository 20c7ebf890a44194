import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { promotionGates } from "@/test/promotion-gates";
import { decidePromotion, pendingPromotions, requestPromotion, retireSunsetVersions } from "./promotion";

type Person = Awaited<ReturnType<typeof makeUser>>;
let owner: Person;
let approver: Person;
let server: Awaited<ReturnType<typeof makeServer>>;

const gates = { ...promotionGates, sunsetDays: 7 };
const pinOf = async (environment: "dev" | "staging" | "prod") =>
  (await db().pin.findUnique({ where: { serverId_environment: { serverId: server.id, environment } } }))?.versionId;
const statusOf = async (id: string) => (await db().serverVersion.findUniqueOrThrow({ where: { id } })).status;

beforeEach(async () => {
  owner = await makeUser(["owner"]);
  approver = await makeUser(["approver"]);
  const team = await makeTeam([owner]);
  server = await makeServer({
    teamId: team.id,
    environments: ["dev", "prod"],
    versions: [
      { version: "1.0.0", status: "certified" },
      { version: "1.1.0", status: "certified" },
      { version: "1.2.0", status: "in_review" },
    ],
  });
});

describe("promotion", () => {
  it("pins at once in dev", async () => {
    const request = await requestPromotion(owner, { versionId: server.versionIds[0], environment: "dev", ...gates });
    expect(request.pending).toBe(false);
    expect(await pinOf("dev")).toBe(server.versionIds[0]);
  });

  it("waits for an approver in prod, then pins and deprecates the replaced version with a sunset", async () => {
    const [v1, v2] = server.versionIds as [string, string];
    await requestPromotion(owner, { versionId: v1, environment: "dev", ...gates });
    const first = await requestPromotion(owner, { versionId: v1, environment: "prod", ...gates });
    expect(first.pending).toBe(true);
    expect(await pinOf("prod")).toBeUndefined();
    expect((await pendingPromotions()).map((p) => p.id)).toEqual([first.id]);
    await decidePromotion(approver, { promotionId: first.id, decision: "approve", reason: "Plans are sound." });
    expect(await pinOf("prod")).toBe(v1);

    await requestPromotion(owner, { versionId: v2, environment: "dev", ...gates });
    expect(await statusOf(v1)).toBe("certified");
    const second = await requestPromotion(owner, { versionId: v2, environment: "prod", ...gates });
    await decidePromotion(approver, { promotionId: second.id, decision: "approve", reason: "Fixes a bug." });
    expect(await pinOf("prod")).toBe(v2);
    const old = await db().serverVersion.findUniqueOrThrow({ where: { id: v1 } });
    expect(old.status).toBe("deprecated");
    expect(old.sunsetAt!.getTime() - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000);

    expect(await retireSunsetVersions(new Date())).toBe(0);
    expect(await retireSunsetVersions(new Date(Date.now() + 8 * 24 * 3600 * 1000))).toBe(1);
    expect(await statusOf(v1)).toBe("retired");
  });

  it("a denial leaves nothing pinned and keeps the reason", async () => {
    const request = await requestPromotion(owner, { versionId: server.versionIds[0], environment: "prod", ...gates });
    await decidePromotion(approver, { promotionId: request.id, decision: "deny", reason: "Rollback plan is untested." });
    expect(await pinOf("prod")).toBeUndefined();
    expect(await db().promotion.findUniqueOrThrow({ where: { id: request.id } })).toMatchObject({ status: "denied", decisionReason: "Rollback plan is untested." });
  });

  it.each([
    ["no rollout plan", { rolloutPlan: "" }, /rollout plan is required/],
    ["no rollback plan", { rollbackPlan: " " }, /rollback plan is required/],
    ["no kill-switch plan", { killSwitchPlan: undefined }, /kill-switch plan is required/],
    ["an environment the server does not run in", { environment: "staging" }, /not registered to run in staging/],
    ["a bad sunset", { sunsetDays: "abc" }, /number of days/],
  ])("refuses %s", async (_case, change, message) => {
    await expect(requestPromotion(owner, { versionId: server.versionIds[0], environment: "prod", ...gates, ...change })).rejects.toThrow(message);
    expect(await db().promotion.count({ where: { versionId: server.versionIds[0] } })).toBe(0);
  });

  it("refuses versions that are not certified", async () => {
    await expect(requestPromotion(owner, { versionId: server.versionIds[2], environment: "dev", ...gates })).rejects.toThrow(/Only certified versions/);
  });

  it("refuses a second open request and a second decision", async () => {
    const request = await requestPromotion(owner, { versionId: server.versionIds[0], environment: "prod", ...gates });
    await expect(requestPromotion(owner, { versionId: server.versionIds[0], environment: "prod", ...gates })).rejects.toThrow(ConflictError);
    await decidePromotion(approver, { promotionId: request.id, decision: "approve", reason: "ok then" });
    await expect(decidePromotion(approver, { promotionId: request.id, decision: "deny", reason: "changed my mind" })).rejects.toThrow(/already decided/);
  });

  it("separation of duties: owners and requesters do not decide; only approvers do", async () => {
    const request = await requestPromotion(owner, { versionId: server.versionIds[0], environment: "prod", ...gates });
    const ownerApprover = await makeUser(["owner", "approver"]);
    await db().teamMember.create({ data: { teamId: server.teamId, userId: ownerApprover.id } });
    await expect(decidePromotion(ownerApprover, { promotionId: request.id, decision: "approve", reason: "mine" })).rejects.toThrow(/Separation of duties/);
    await expect(decidePromotion(owner, { promotionId: request.id, decision: "approve", reason: "mine" })).rejects.toThrow(ForbiddenError);
    const reviewer = await makeUser(["reviewer"]);
    await expect(decidePromotion(reviewer, { promotionId: request.id, decision: "approve", reason: "ok" })).rejects.toThrow(ForbiddenError);
    await expect(decidePromotion(approver, { promotionId: request.id, decision: "approve", reason: "" })).rejects.toThrow(ValidationError);
    await expect(decidePromotion(approver, { promotionId: "forged", decision: "approve", reason: "ok" })).rejects.toThrow(ValidationError);
    expect((await db().promotion.findUniqueOrThrow({ where: { id: request.id } })).status).toBe("pending");
  });

  it("a requester who has since left the team still cannot decide their request, and the refusal is audited", async () => {
    const requester = await makeUser(["owner", "approver"]);
    const membership = await db().teamMember.create({ data: { teamId: server.teamId, userId: requester.id } });
    const request = await requestPromotion(requester, { versionId: server.versionIds[0], environment: "prod", ...gates });
    await db().teamMember.delete({ where: { teamId_userId: { teamId: membership.teamId, userId: requester.id } } });
    await expect(decidePromotion(requester, { promotionId: request.id, decision: "approve", reason: "mine" })).rejects.toThrow(/you requested/);
    const refusal = await db().auditEvent.findFirstOrThrow({ where: { actorId: requester.id, action: "promotions.decide", outcome: "denied" } });
    expect(refusal).toMatchObject({ targetType: "promotion", targetId: request.id, reason: "separation of duties: requester of the promotion" });
  });

  it("only owners of the team request promotions", async () => {
    const outsider = await makeUser(["owner"]);
    await expect(requestPromotion(outsider, { versionId: server.versionIds[0], environment: "dev", ...gates })).rejects.toThrow(ForbiddenError);
    await expect(requestPromotion(approver, { versionId: server.versionIds[0], environment: "dev", ...gates })).rejects.toThrow(ForbiddenError);
  });
});

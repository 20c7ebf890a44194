import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { navigationCounts } from "./navigation-counts";
import { pendingApprovalCounts } from "./pending-approvals";

const now = new Date("2026-05-04T12:00:00.000Z");
const minutesFrom = (minutes: number) => new Date(now.getTime() + minutes * 60_000);
const plan = { rolloutPlan: "All at once.", rollbackPlan: "Re-pin.", killSwitchPlan: "Server switch.", sunsetDays: 7 };

/** Two approvers, one owning a server through its team and raising calls with their own agent; one reviewer. */
async function world() {
  const approver = await makeUser(["approver"]);
  const owningApprover = await makeUser(["approver"]);
  const reviewer = await makeUser(["reviewer"]);
  const admin = await makeUser(["admin"]);
  const team = await makeTeam([owningApprover]);
  const owned = await makeServer({ teamId: team.id, versions: [{ version: "1.0.0", status: "certified" }, { version: "1.1.0", status: "submitted" }] });
  const other = await makeServer({ versions: [{ version: "2.0.0", status: "certified" }, { version: "2.1.0", status: "submitted" }, { version: "2.2.0", status: "submitted" }] });
  await db().serverOwner.create({ data: { serverId: other.id, userId: reviewer.id } });
  const theirAgent = await db().agent.create({ data: { name: `own-${randomUUID()}`, teamId: team.id, environment: "prod", createdById: owningApprover.id } });
  const [agent, secondAgent, thirdAgent] = await Promise.all(
    [1, 2, 3].map(() => db().agent.create({ data: { name: `bot-${randomUUID()}`, teamId: team.id, environment: "prod" } })),
  );
  const call = (server: { id: string; versionIds: string[] }, agentId: string, expiresAt: Date, extra: { agentWaitsUntil?: Date | null; escalatedAt?: Date; status?: "pending" | "approved" } = {}) => ({
    agentId,
    serverId: server.id,
    versionId: server.versionIds[0]!,
    toolName: "read_record",
    argumentsHash: randomUUID(),
    arguments: {},
    riskReason: "High risk",
    correlationId: randomUUID(),
    expiresAt,
    ...extra,
  });
  await db().toolCallApproval.createMany({
    data: [
      call(other, agent!.id, minutesFrom(60), { agentWaitsUntil: minutesFrom(1) }),
      call(other, agent!.id, minutesFrom(60), { agentWaitsUntil: minutesFrom(-1), escalatedAt: minutesFrom(-5) }),
      call(other, agent!.id, minutesFrom(60), { agentWaitsUntil: null }),
      call(other, theirAgent.id, minutesFrom(60), { agentWaitsUntil: minutesFrom(1) }),
      call(owned, agent!.id, minutesFrom(60), { agentWaitsUntil: minutesFrom(1) }),
      // Past its time, and decided: neither waits.
      call(other, agent!.id, minutesFrom(-1), { agentWaitsUntil: minutesFrom(-2) }),
      call(other, agent!.id, minutesFrom(60), { status: "approved" }),
    ],
  });
  await db().promotion.createMany({
    data: [
      { versionId: other.versionIds[0]!, environment: "prod", ...plan, requestedById: owningApprover.id },
      { versionId: other.versionIds[0]!, environment: "staging", ...plan, requestedById: reviewer.id },
      { versionId: owned.versionIds[0]!, environment: "prod", ...plan },
      { versionId: other.versionIds[0]!, environment: "dev", ...plan, status: "denied" },
    ],
  });
  await db().grant.createMany({
    data: [
      { agentId: agent!.id, serverId: other.id, status: "pending", requestedById: approver.id },
      // One open grant per agent and server.
      { agentId: secondAgent!.id, serverId: other.id, status: "pending" },
      { agentId: agent!.id, serverId: owned.id, status: "pending" },
      { agentId: thirdAgent!.id, serverId: other.id, status: "active" },
    ],
  });
  return { approver, owningApprover, reviewer, admin, owned, other };
}

describe("pending approvals and the navigation's counts", () => {
  let approver: Awaited<ReturnType<typeof world>>["approver"];
  let owningApprover: typeof approver;
  let reviewer: typeof approver;
  let admin: typeof approver;
  let owned: Awaited<ReturnType<typeof world>>["owned"];
  let other: typeof owned;
  beforeAll(async () => {
    ({ approver, owningApprover, reviewer, admin, owned, other } = await world());
  });

  it("count for everyone what the inbox lists: unexpired tool calls (those whose agent stopped waiting too), pending promotions and grants", async () => {
    expect(await pendingApprovalCounts(now)).toEqual({ pending: 11, toolCalls: 5, agentStoppedWaiting: 2, escalated: 1, promotions: 3, grants: 3 });
  });

  it("count for one approver only what they may decide: not their agent's calls, their own requests, or their servers", async () => {
    expect(await pendingApprovalCounts(now, approver)).toEqual({ pending: 10, toolCalls: 5, agentStoppedWaiting: 2, escalated: 1, promotions: 3, grants: 2 });
    expect(await pendingApprovalCounts(now, owningApprover)).toEqual({ pending: 6, toolCalls: 3, agentStoppedWaiting: 2, escalated: 1, promotions: 1, grants: 2 });
  });

  it("count nothing for people who may not decide approvals", async () => {
    const none = { pending: 0, toolCalls: 0, agentStoppedWaiting: 0, escalated: 0, promotions: 0, grants: 0 };
    expect(await pendingApprovalCounts(now, admin)).toEqual(none);
    expect(await pendingApprovalCounts(now, reviewer)).toEqual(none);
  });

  it("give each person their reviews (submitted on servers they do not own, or claimed by them), their approvals and open drift", async () => {
    await db().driftIncident.createMany({
      data: [
        { serverId: other.id, versionId: other.versionIds[0]!, toolName: "a", pinnedHash: "a".repeat(64), liveHash: "b".repeat(64) },
        { serverId: other.id, versionId: other.versionIds[0]!, toolName: "b", pinnedHash: "a".repeat(64), liveHash: null, resolvedAt: now },
      ],
    });
    // The reviewer owns `other`, so only `owned`'s submitted version waits for them.
    expect(await navigationCounts(reviewer, now)).toEqual({ reviews: 1, approvals: 0, drift: 1, policies: 0, bundles: 0 });
    const otherReviewer = await makeUser(["reviewer"]);
    expect(await navigationCounts(otherReviewer, now)).toEqual({ reviews: 3, approvals: 0, drift: 1, policies: 0, bundles: 0 });
    // Claimed by one reviewer, a version waits for them alone.
    await db().serverVersion.update({ where: { id: owned.versionIds[1]! }, data: { status: "in_review", reviewerId: otherReviewer.id } });
    expect(await navigationCounts(otherReviewer, now)).toEqual({ reviews: 3, approvals: 0, drift: 1, policies: 0, bundles: 0 });
    expect(await navigationCounts(reviewer, now)).toEqual({ reviews: 0, approvals: 0, drift: 1, policies: 0, bundles: 0 });
    expect(await navigationCounts(approver, now)).toEqual({ reviews: 0, approvals: 10, drift: 1, policies: 0, bundles: 0 });
    expect(await navigationCounts(admin, now)).toEqual({ reviews: 0, approvals: 0, drift: 1, policies: 0, bundles: 0 });
    expect(await navigationCounts(await makeUser([]), now)).toEqual({ reviews: 0, approvals: 0, drift: 0, policies: 0, bundles: 0 });
  });

  it("give approvers the proposed policy sets they may decide: not their own, not drafts", async () => {
    const author = await makeUser(["admin"]);
    const set = (status: "draft" | "proposed" | "approved", authorId: string | null) => ({ text: "", hash: "0".repeat(64), status, authorId });
    await db().policySet.createMany({ data: [set("proposed", author.id), set("proposed", approver.id), set("proposed", null), set("draft", author.id), set("approved", author.id)] });
    expect((await navigationCounts(approver, now)).policies).toBe(2);
    expect((await navigationCounts(owningApprover, now)).policies).toBe(3);
    expect((await navigationCounts(author, now)).policies).toBe(0);
  });

  it("give reviewers the submitted bundle versions they may decide: not their own, not drafts or decided ones", async () => {
    const author = await makeUser(["owner", "reviewer"]);
    const other = await makeUser(["reviewer"]);
    const team = await makeTeam([author]);
    const bundle = await db().bundle.create({ data: { name: `count-${randomUUID().slice(0, 8)}`, title: "Count", teamId: team.id } });
    await db().bundleVersion.createMany({
      data: [
        { bundleId: bundle.id, number: 1, authorId: author.id, status: "certified" },
        { bundleId: bundle.id, number: 2, authorId: author.id, status: "submitted" },
        { bundleId: bundle.id, number: 3, authorId: other.id, status: "submitted" },
        { bundleId: bundle.id, number: 4, authorId: other.id, status: "draft" },
      ],
    });
    expect((await navigationCounts(author, now)).bundles).toBe(1);
    expect((await navigationCounts(other, now)).bundles).toBe(1);
    expect((await navigationCounts(await makeUser(["reviewer"]), now)).bundles).toBe(2);
    expect((await navigationCounts(await makeUser(["owner"]), now)).bundles).toBe(0);
  });
});

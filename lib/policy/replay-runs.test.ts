import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { dayMs, type ReplayFixture, replayFixture } from "@/test/audited-calls";
import { makeUser } from "@/test/factories";
import { activePolicySetRecord, proposePolicySet, saveDraft } from "./policy-sets";
import { getReplay, latestReplay, type ReplayRun, startReplay } from "./replay-runs";

let fixture: ReplayFixture;
let author: Actor;
let reviewer: Actor;
let stricterId: string;

async function finished(run: ReplayRun): Promise<ReplayRun> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const now = await getReplay(reviewer, run.id);
    if (now.status === "done" || now.status === "failed") return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the replay did not finish");
}

beforeAll(async () => {
  fixture = await replayFixture();
  author = await makeUser(["admin"]);
  reviewer = await makeUser(["reviewer"]);
  const active = await activePolicySetRecord();
  const draft = await saveDraft(author, {
    text: `${active.text}\n@id("no-destructive")\nforbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.destructive };\n`,
    description: "No destructive tools.",
  });
  await proposePolicySet(author, draft.id);
  stricterId = draft.id;
  await fixture.audit([
    { tool: "read_record" },
    { tool: "delete_record", approvalId: randomUUID() },
    { tool: "delete_record", approvalId: randomUUID() },
    // The oldest event held: eight days ago.
    { tool: "read_record", decision: "refused", serverId: null, version: null, at: new Date(Date.now() - 8 * dayMs) },
  ]);
});

describe("startReplay", () => {
  it("replays the candidate against the active set in the background, audited, and keeps the report", async () => {
    const started = await startReplay(reviewer, stricterId, {});
    expect(started).toMatchObject({ policySetId: stricterId, status: "queued", report: null });
    expect(started.windowTo.getTime() - started.windowFrom.getTime()).toBe(7 * dayMs);
    const run = await finished(started);
    expect(run).toMatchObject({ status: "done", processed: 3, total: 3, error: null });
    expect(run.finishedAt).not.toBeNull();
    expect(run.report).toMatchObject({ calls: 3, unchanged: 1, skipped: 0, changes: { approvalToDeny: 2 }, candidate: { id: stricterId }, baseline: { id: (await activePolicySetRecord()).id } });
    expect(run.report!.groups).toEqual([expect.objectContaining({ agentName: fixture.alice.name, tool: "delete_record", from: "approval", to: "deny", count: 2 })]);
    expect((await latestReplay(reviewer, stricterId))?.id).toBe(run.id);
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "policy.replay", targetId: run.id } });
    expect(audit).toMatchObject({ outcome: "success", actorId: reviewer.id, details: expect.objectContaining({ days: 7, policySetId: stricterId }) });
  });

  it("refuses a window beyond the audit retention, and starts a longer window at the oldest event held", async () => {
    await db().setting.create({ data: { key: "audit.retentionDays", value: 20 } });
    try {
      await expect(startReplay(reviewer, stricterId, { days: 30 })).rejects.toThrow("A window of 30 days reaches beyond the audit retention of 20 days: replay at most 20 days.");
      const started = await startReplay(reviewer, stricterId, { days: 20 });
      const oldest = await db().auditEvent.findFirstOrThrow({ orderBy: { occurredAt: "asc" }, select: { occurredAt: true } });
      expect(started.windowFrom).toEqual(oldest.occurredAt);
      expect((await finished(started)).status).toBe("done");
    } finally {
      await db().setting.delete({ where: { key: "audit.retentionDays" } });
    }
  });

  it("refuses bad input: days not a whole number ≥ 1, unknown fields, ids that are not sets", async () => {
    for (const input of [{ days: 0 }, { days: 1.5 }, { days: "7" }, { days: 7, extra: true }, [], "7", { days: 1e9 }]) {
      await expect(startReplay(reviewer, stricterId, input)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(startReplay(reviewer, "not-a-uuid", {})).rejects.toBeInstanceOf(ValidationError);
    await expect(startReplay(reviewer, randomUUID(), {})).rejects.toBeInstanceOf(NotFoundError);
  });

  it("refuses a candidate that does not compile", async () => {
    const broken = await saveDraft(author, { text: "permit (principal, action, resource) when { resource.nope };", description: "Broken." });
    await expect(startReplay(reviewer, broken.id, {})).rejects.toThrow(/cannot be replayed until its problems are fixed/);
  });

  it("needs policies.view, and the refusal is audited", async () => {
    const owner = await makeUser(["owner"]);
    await expect(startReplay(owner, stricterId, {})).rejects.toBeInstanceOf(ForbiddenError);
    await expect(latestReplay(owner, stricterId)).rejects.toBeInstanceOf(ForbiddenError);
    const refusal = await db().auditEvent.findFirst({ where: { actorId: owner.id, outcome: "denied", action: "policies.view" } });
    expect(refusal).not.toBeNull();
  });

  it("runs one replay at a time", async () => {
    const stuck = await db().policyReplay.create({ data: { policySetId: stricterId, windowFrom: new Date(Date.now() - dayMs), windowTo: new Date(), status: "running" }, select: { id: true } });
    await expect(startReplay(reviewer, stricterId, { days: 1 })).rejects.toBeInstanceOf(ConflictError);
    await db().policyReplay.delete({ where: { id: stuck.id } });
  });
});

describe("getReplay and latestReplay", () => {
  it("mark failed a run whose process stopped reporting progress", async () => {
    const lost = await db().policyReplay.create({ data: { policySetId: stricterId, windowFrom: new Date(Date.now() - dayMs), windowTo: new Date(), status: "running" }, select: { id: true } });
    await db().$executeRaw`UPDATE policy_replays SET updated_at = now() - interval '6 minutes' WHERE id = ${lost.id}::uuid`;
    const run = await getReplay(reviewer, lost.id);
    expect(run).toMatchObject({ status: "failed", error: expect.stringMatching(/process running it ended/) });
  });

  it("answer unknown ids with NotFoundError and malformed ones with ValidationError", async () => {
    await expect(getReplay(reviewer, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    await expect(getReplay(reviewer, "1; DROP TABLE")).rejects.toBeInstanceOf(ValidationError);
    await expect(latestReplay(reviewer, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { createAgent } from "@/lib/agents/agents";
import { grantAccess } from "@/lib/agents/grants";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { addEvidence } from "@/lib/evidence/store";
import type { VersionStatus } from "@/lib/generated/prisma/client";
import { verifyManifest } from "@/lib/signing/manifest";
import { addPassingEvidence, evidenceFixture } from "@/test/evidence";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { certifyVersion, claimReview, defaultApprovalTools, rejectVersion, submitVersion, transitions } from "./lifecycle";

type Person = Awaited<ReturnType<typeof makeUser>>;
let owner: Person;
let reviewer: Person;
let server: Awaited<ReturnType<typeof makeServer>>;
let versionId: string;

const tools = [
  { name: "read_record", annotations: { readOnlyHint: true } },
  { name: "delete_record", annotations: { destructiveHint: true } },
  { name: "tag_record" },
];
const certification = { reason: "Evidence complete, risks accepted.", riskTier: "high", approvalTools: ["delete_record"] };
const statusOf = async () => (await db().serverVersion.findUniqueOrThrow({ where: { id: versionId } })).status;

beforeEach(async () => {
  owner = await makeUser(["owner"]);
  reviewer = await makeUser(["reviewer"]);
  const team = await makeTeam([owner]);
  server = await makeServer({ teamId: team.id, versions: [{ version: "1.0.0", tools }] });
  versionId = server.versionIds[0]!;
});

async function inReview() {
  await submitVersion(owner, { versionId });
  await claimReview(reviewer, { versionId });
}

describe("the review state machine", () => {
  it("walks draft → submitted → in review → certified, each step audited with its reason", async () => {
    await addPassingEvidence(owner, versionId);
    await submitVersion(owner, { versionId, note: "Ready for review." });
    expect(await statusOf()).toBe("submitted");
    await claimReview(reviewer, { versionId });
    expect(await statusOf()).toBe("in_review");
    await certifyVersion(reviewer, { versionId, ...certification });
    const version = await db().serverVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect(version).toMatchObject({ status: "certified", riskTier: "high", approvalTools: ["delete_record"], reviewerId: reviewer.id });
    const decisions = await db().versionDecision.findMany({ where: { versionId }, orderBy: { id: "asc" } });
    expect(decisions.map((d) => [d.action, d.reason])).toEqual([
      ["submit", "Ready for review."],
      ["claim", null],
      ["certify", certification.reason],
    ]);
    const audit = await db().auditEvent.findMany({ where: { targetId: server.id, outcome: "success" }, orderBy: { id: "asc" } });
    expect(audit.map((e) => e.action)).toEqual(expect.arrayContaining(["version.submit", "version.claim", "version.certify"]));
    expect((await db().server.findUniqueOrThrow({ where: { id: server.id } })).riskTier).toBe("high");
  });

  it("sends grants that took effect without an approver back to one when certified at a tier that needs one", async () => {
    const agent = await createAgent(owner, { name: `agent-${server.id.slice(0, 8)}`, teamId: server.teamId, environment: "prod" });
    const grant = await grantAccess(owner, { agentId: agent.id, serverId: server.id });
    expect(grant.status).toBe("active");
    await addPassingEvidence(owner, versionId);
    await inReview();
    await certifyVersion(reviewer, { versionId, ...certification });
    expect((await db().grant.findUniqueOrThrow({ where: { id: grant.id } })).status).toBe("pending");
    const audit = await db().auditEvent.findFirstOrThrow({ where: { action: "grant.await-approval", targetId: agent.id } });
    expect(audit).toMatchObject({ actorId: reviewer.id, details: { grantId: grant.id, riskTier: "high" } });
  });

  it("signs a manifest that verifies, and fails after any byte changes", async () => {
    await addPassingEvidence(owner, versionId);
    await inReview();
    await certifyVersion(reviewer, { versionId, ...certification });
    const version = await db().serverVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect(await verifyManifest(version.manifest, version.manifestSignature!, version.signingKeyId!)).toMatchObject({ valid: true });
    const text = JSON.stringify(version.manifest);
    for (const position of [5, Math.floor(text.length / 2), text.length - 5]) {
      const changed = text.slice(0, position) + (text[position] === "a" ? "b" : "a") + text.slice(position + 1);
      const result = await verifyManifest(changed, version.manifestSignature!, version.signingKeyId!);
      expect(result.valid, `byte ${position}`).toBe(false);
    }
    const manifest = version.manifest as { tools: { name: string }[]; decision: { reviewer: string } };
    expect(manifest.tools.map((t) => t.name)).toEqual(["delete_record", "read_record", "tag_record"]);
    expect(manifest.decision.reviewer).toBe(reviewer.id);
  });

  it("rejects with a mandatory reason", async () => {
    await inReview();
    await expect(rejectVersion(reviewer, { versionId, reason: "" })).rejects.toThrow(ValidationError);
    expect(await statusOf()).toBe("in_review");
    await rejectVersion(reviewer, { versionId, reason: "No red-team report." });
    expect(await statusOf()).toBe("rejected");
  });

  const refusals: [VersionStatus, string, (id: string) => Promise<unknown>][] = [
    ["draft", "claim", (id) => claimReview(reviewer, { versionId: id })],
    ["draft", "certify", (id) => certifyVersion(reviewer, { versionId: id, ...certification })],
    ["draft", "reject", (id) => rejectVersion(reviewer, { versionId: id, reason: "not ready" })],
    ["submitted", "submit", (id) => submitVersion(owner, { versionId: id })],
    ["submitted", "certify", (id) => certifyVersion(reviewer, { versionId: id, ...certification })],
    ["in_review", "submit", (id) => submitVersion(owner, { versionId: id })],
    ["in_review", "claim", (id) => claimReview(reviewer, { versionId: id })],
    ["certified", "submit", (id) => submitVersion(owner, { versionId: id })],
    ["certified", "claim", (id) => claimReview(reviewer, { versionId: id })],
    ["certified", "reject", (id) => rejectVersion(reviewer, { versionId: id, reason: "late" })],
    ["rejected", "submit", (id) => submitVersion(owner, { versionId: id })],
    ["rejected", "certify", (id) => certifyVersion(reviewer, { versionId: id, ...certification })],
    ["retired", "claim", (id) => claimReview(reviewer, { versionId: id })],
  ];

  it.each(refusals)("refuses, from %s, to %s — with a clear error and no change", async (status, _step, attempt) => {
    const other = await makeServer({ teamId: server.teamId, versions: [{ version: "2.0.0", status, tools }] });
    const id = other.versionIds[0]!;
    await db().serverVersion.update({ where: { id }, data: { reviewerId: reviewer.id } });
    await expect(attempt(id)).rejects.toThrow(ConflictError);
    await expect(attempt(id)).rejects.toThrow(/Cannot \w+ version 2\.0\.0: it is/);
    expect((await db().serverVersion.findUniqueOrThrow({ where: { id } })).status).toBe(status);
  });

  it("lists exactly the allowed transitions", () => {
    expect(Object.entries(transitions).map(([name, t]) => `${name}:${t.from}>${t.to}`)).toEqual([
      "submit:draft>submitted",
      "claim:submitted>in_review",
      "certify:in_review>certified",
      "reject:in_review>rejected",
      "deprecate:certified>deprecated",
      "retire:deprecated>retired",
    ]);
  });
});

describe("certification gates", () => {
  it("refuses while a check fails, and names it", async () => {
    await addEvidence(owner, versionId, { kind: "eval_result", metric: "accuracy", score: 0.5, threshold: 0.8 });
    await addEvidence(owner, versionId, { kind: "security_scan", file: { name: "scan.sarif", bytes: evidenceFixture("sarif-critical.json") } });
    await inReview();
    const attempt = certifyVersion(reviewer, { versionId, ...certification });
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(/Failing: quality: .*security: /);
    expect(await statusOf()).toBe("in_review");
  });

  it("accepts waivers with reasons for failing checks only", async () => {
    await addPassingEvidence(owner, versionId);
    await inReview();
    const waiver = { check: "compliance", reason: "Not applicable." };
    await expect(certifyVersion(reviewer, { versionId, ...certification, waivers: [waiver] })).rejects.toThrow(/Only failing checks can be waived/);
    await expect(certifyVersion(reviewer, { versionId, ...certification, waivers: [{ check: "quality", reason: "" }] })).rejects.toThrow(ValidationError);
  });

  it("certifies a failing version with a waiver per failing check, recorded in the manifest", async () => {
    await addEvidence(owner, versionId, { kind: "eval_result", metric: "accuracy", score: 0.92, threshold: 0.8 });
    await inReview();
    const waivers = [
      { check: "safety", reason: "Red team booked for next sprint; tool is read-only in dev." },
      { check: "security", reason: "Scanner unavailable for this runtime." },
    ];
    await certifyVersion(reviewer, { versionId, ...certification, waivers });
    const version = await db().serverVersion.findUniqueOrThrow({ where: { id: versionId } });
    expect((version.manifest as { decision: { waivers: string[] } }).decision.waivers).toHaveLength(2);
  });

  it("refuses approval marks for tools the version does not have", async () => {
    await addPassingEvidence(owner, versionId);
    await inReview();
    await expect(certifyVersion(reviewer, { versionId, ...certification, approvalTools: ["rm_rf"] })).rejects.toThrow(/no tool named rm_rf/);
  });

  it("requires a risk tier", async () => {
    await addPassingEvidence(owner, versionId);
    await inReview();
    await expect(certifyVersion(reviewer, { versionId, ...certification, riskTier: "" })).rejects.toThrow(/risk tier/);
  });

  it("marks destructive or not read-only tools for approval by default", () => {
    expect(defaultApprovalTools(tools)).toEqual(["delete_record", "tag_record"]);
  });
});

describe("separation of duties", () => {
  it("an owner of the server cannot claim, certify or reject it, even holding the reviewer role", async () => {
    const both = await makeUser(["owner", "reviewer"]);
    await db().teamMember.create({ data: { teamId: server.teamId, userId: both.id } });
    await submitVersion(owner, { versionId });
    await expect(claimReview(both, { versionId })).rejects.toThrow(/Separation of duties/);
    await claimReview(reviewer, { versionId });
    await expect(rejectVersion(both, { versionId, reason: "mine" })).rejects.toThrow(ForbiddenError);
    const denied = await db().auditEvent.findFirst({ where: { actorId: both.id, outcome: "denied" } });
    expect(denied?.reason).toMatch(/separation of duties/);
  });

  it("only the claiming reviewer decides", async () => {
    await addPassingEvidence(owner, versionId);
    await inReview();
    const other = await makeUser(["reviewer"]);
    await expect(certifyVersion(other, { versionId, ...certification })).rejects.toThrow(/Only the reviewer who claimed/);
    expect(await db().auditEvent.count({ where: { actorId: other.id, action: "reviews.decide", outcome: "denied", reason: "not the reviewer who claimed the version" } })).toBe(1);
  });

  it("roles: owners submit, reviewers claim; nobody else", async () => {
    const approver = await makeUser(["approver"]);
    await expect(submitVersion(reviewer, { versionId })).rejects.toThrow(ForbiddenError);
    await expect(submitVersion(approver, { versionId })).rejects.toThrow(ForbiddenError);
    const outsider = await makeUser(["owner"]);
    await expect(submitVersion(outsider, { versionId })).rejects.toThrow(ForbiddenError);
    await submitVersion(owner, { versionId });
    await expect(claimReview(approver, { versionId })).rejects.toThrow(ForbiddenError);
    await expect(claimReview(owner, { versionId })).rejects.toThrow(ForbiddenError);
  });
});

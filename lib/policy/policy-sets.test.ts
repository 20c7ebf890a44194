import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { activatePolicyText } from "@/test/policy-sets";
import { defaultPolicyText } from "./default-policies";
import { maxPolicySetBytes, policySetHash } from "./policy-set";
import {
  activatePolicySet,
  activePolicySetRecord,
  allowedPolicySetActions,
  approvePolicySet,
  getActivePolicySet,
  getPolicySet,
  listPolicySets,
  proposePolicySet,
  rejectPolicySet,
  rollBackPolicySet,
  saveDraft,
  setPolicySetShadow,
  shadowDisagreements,
} from "./policy-sets";

// One database for the file: set 1 is generated from the setting before any test runs, and each test
// works on its own sets from there.

let admin: Actor;
let otherAdmin: Actor;
let approver: Actor;
let adminApprover: Actor;
let reviewer: Actor;
let owner: Actor;

const forbidDeletes = `@id("no-deletes")\nforbid (principal, action == Toolgate::Action::"tools/call", resource) when { resource.name == "delete_record" };\n\n${defaultPolicyText(["critical"])}`;
const people = () => ({ author: admin, approver });

const auditOf = (id: string) => db().auditEvent.findMany({ where: { targetType: "policySet", targetId: id }, orderBy: { id: "asc" } });
const statusOf = async (id: string) => (await db().policySet.findUniqueOrThrow({ where: { id } })).status;

beforeAll(async () => {
  await db().setting.create({ data: { key: "approvals.requiredForRiskTiers", value: ["high", "critical"] } });
  admin = await makeUser(["admin"]);
  otherAdmin = await makeUser(["admin"]);
  approver = await makeUser(["approver"]);
  adminApprover = await makeUser(["admin", "approver"]);
  reviewer = await makeUser(["reviewer"]);
  owner = await makeUser(["owner"]);
});

describe("set 1, generated from the retired setting", () => {
  it("is created once, active, from the setting's tiers, and the setting row is deleted; two instances at once agree", async () => {
    const [first, second] = await Promise.all([activePolicySetRecord(), activePolicySetRecord()]);
    expect(first).toEqual(second);
    expect(first.number).toBe(1);
    expect(first.text).toBe(defaultPolicyText(["high", "critical"]));
    expect(first.hash).toBe(policySetHash(first.text));
    expect(await db().setting.findUnique({ where: { key: "approvals.requiredForRiskTiers" } })).toBeNull();
    expect(await db().policySet.count()).toBe(1);
    const set = await getActivePolicySet(reviewer);
    expect(set).toMatchObject({ number: 1, status: "active", author: null, problems: [] });
    expect(set.description).toMatch(/former setting approvals\.requiredForRiskTiers \(high, critical\)/);
    const [audit] = await auditOf(first.id);
    expect(audit).toMatchObject({ action: "policy.activate", actorLabel: "system", outcome: "success" });
    expect(audit?.details).toMatchObject({ number: 1, hash: first.hash });
  });
});

describe("the lifecycle", () => {
  it("walks draft → proposed → approved → active, superseding the active set, each step audited with number and hash", async () => {
    const before = await activePolicySetRecord();
    const draft = await saveDraft(admin, { text: "permit (principal, action, resource);", description: "Start simple." });
    expect(draft).toMatchObject({ status: "draft", author: { id: admin.id }, problems: [] });
    const edited = await saveDraft(admin, { id: draft.id, text: forbidDeletes, description: "No deletes.", basedOnId: before.id });
    expect(edited).toMatchObject({ id: draft.id, number: draft.number, text: forbidDeletes, hash: policySetHash(forbidDeletes), basedOnId: before.id });
    const proposed = await proposePolicySet(admin, draft.id);
    expect(proposed.status).toBe("proposed");
    expect(proposed.proposedAt).toBeInstanceOf(Date);
    const approved = await approvePolicySet(approver, draft.id, "Deletes go through a person.");
    expect(approved).toMatchObject({ status: "approved", decidedBy: { id: approver.id }, decisionReason: "Deletes go through a person." });
    const active = await activatePolicySet(adminApprover, draft.id);
    expect(active.status).toBe("active");
    expect(await statusOf(before.id)).toBe("superseded");
    expect(await activePolicySetRecord()).toEqual({ id: draft.id, number: draft.number, hash: policySetHash(forbidDeletes), text: forbidDeletes });

    const audit = await auditOf(draft.id);
    expect(audit.map((event) => event.action)).toEqual(["policy.draft", "policy.draft", "policy.propose", "policy.approve", "policy.activate"]);
    for (const event of audit) expect(event.details).toMatchObject({ number: draft.number });
    expect(audit[4]?.details).toMatchObject({ hash: policySetHash(forbidDeletes), previous: { id: before.id, number: before.number, hash: before.hash } });
  });

  it("rolls back to a superseded set in one step", async () => {
    const first = await activatePolicyText(forbidDeletes.replace("no-deletes", "no-deletes-a"), people());
    const second = await activatePolicyText(forbidDeletes.replace("no-deletes", "no-deletes-b"), people());
    const back = await rollBackPolicySet(approver, first.id);
    expect(back.status).toBe("active");
    expect(await statusOf(second.id)).toBe("superseded");
    expect((await activePolicySetRecord()).id).toBe(first.id);
    const [event] = (await auditOf(first.id)).filter((e) => e.action === "policy.rollback");
    expect(event?.details).toMatchObject({ number: first.number, hash: first.hash, from: "superseded", to: "active", previous: { id: second.id } });
    await expect(rollBackPolicySet(approver, first.id)).rejects.toThrow(ConflictError);
    await expect(activatePolicySet(approver, second.id)).rejects.toThrow(/only approved sets/);
  });

  it("rejects a proposed set with a reason; a rejected set goes nowhere", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Too strict?" });
    await proposePolicySet(admin, draft.id);
    await expect(rejectPolicySet(approver, draft.id, "")).rejects.toThrow(ValidationError);
    const rejected = await rejectPolicySet(approver, draft.id, "Breaks the cleanup job.");
    expect(rejected).toMatchObject({ status: "rejected", decisionReason: "Breaks the cleanup job.", decidedBy: { id: approver.id } });
    await expect(approvePolicySet(approver, draft.id)).rejects.toThrow(ConflictError);
    await expect(activatePolicySet(approver, draft.id)).rejects.toThrow(ConflictError);
    expect((await auditOf(draft.id)).at(-1)).toMatchObject({ action: "policy.reject", reason: "Breaks the cleanup job." });
  });

  it("is immutable once proposed: saving the draft again refuses and the text never changes", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Frozen." });
    await proposePolicySet(admin, draft.id);
    await expect(saveDraft(admin, { id: draft.id, text: "permit (principal, action, resource);", description: "Sneaky." })).rejects.toThrow(/cannot change once proposed/);
    await expect(proposePolicySet(admin, draft.id)).rejects.toThrow(ConflictError);
    expect(await getPolicySet(reviewer, draft.id)).toMatchObject({ text: forbidDeletes, description: "Frozen.", hash: policySetHash(forbidDeletes) });
  });
});

describe("separation of duties and roles", () => {
  it("the author cannot approve or reject their own set, and the refusal is audited", async () => {
    const draft = await saveDraft(adminApprover, { text: forbidDeletes, description: "Mine." });
    await proposePolicySet(adminApprover, draft.id);
    await expect(approvePolicySet(adminApprover, draft.id)).rejects.toThrow(ForbiddenError);
    await expect(rejectPolicySet(adminApprover, draft.id, "Changed my mind.")).rejects.toThrow(ForbiddenError);
    const refusals = (await auditOf(draft.id)).filter((event) => event.outcome === "denied");
    expect(refusals.map((event) => [event.action, event.reason])).toEqual([
      ["policies.approve", "separation of duties: the approver wrote the policy set"],
      ["policies.approve", "separation of duties: the approver wrote the policy set"],
    ]);
    expect(await statusOf(draft.id)).toBe("proposed");
    expect(allowedPolicySetActions(adminApprover, draft)).toMatchObject({ approve: false, reject: false });
    expect(allowedPolicySetActions(approver, { ...draft, status: "proposed" })).toMatchObject({ approve: true, reject: true, edit: false });
  });

  it("only the draft's author changes or proposes it", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Admin's." });
    await expect(saveDraft(otherAdmin, { id: draft.id, text: "permit (principal, action, resource);" })).rejects.toThrow(ForbiddenError);
    await expect(proposePolicySet(otherAdmin, draft.id)).rejects.toThrow(ForbiddenError);
    expect(await getPolicySet(admin, draft.id)).toMatchObject({ text: forbidDeletes, status: "draft" });
    expect(allowedPolicySetActions(otherAdmin, draft)).toMatchObject({ edit: false, propose: false });
    expect(allowedPolicySetActions(admin, draft)).toMatchObject({ edit: true, propose: true, approve: false, activate: false });
  });

  it("each action needs its role, and refusals are audited under the permission", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Roles." });
    await expect(listPolicySets(owner)).rejects.toThrow(ForbiddenError);
    await expect(saveDraft(approver, { text: forbidDeletes })).rejects.toThrow(ForbiddenError);
    await expect(proposePolicySet(reviewer, draft.id)).rejects.toThrow(ForbiddenError);
    await proposePolicySet(admin, draft.id);
    await expect(approvePolicySet(otherAdmin, draft.id)).rejects.toThrow(ForbiddenError);
    await approvePolicySet(approver, draft.id);
    await expect(activatePolicySet(reviewer, draft.id)).rejects.toThrow(ForbiddenError);
    await expect(setPolicySetShadow(reviewer, draft.id, true)).rejects.toThrow(ForbiddenError);
    const denied = await db().auditEvent.findMany({ where: { outcome: "denied", actorId: { in: [owner.id, approver.id, reviewer.id, otherAdmin.id] }, action: { startsWith: "policies." } } });
    expect(new Set(denied.map((event) => event.action))).toEqual(new Set(["policies.view", "policies.author", "policies.approve", "policies.activate"]));
    expect(await statusOf(draft.id)).toBe("approved");
  });
});

describe("bad input changes nothing", () => {
  it("a proposal with invalid Cedar or an attribute not in the schema is refused naming the problem, and stays a draft", async () => {
    const broken = await saveDraft(admin, { text: "permit (principal, action, resource) when { ;", description: "Broken." });
    expect(broken.problems.length).toBeGreaterThan(0);
    await expect(proposePolicySet(admin, broken.id)).rejects.toThrow(/cannot be proposed: line 1/);
    const unknown = await saveDraft(admin, { text: `@id("colour")\nforbid (principal, action, resource) when { resource.colour == "red" };`, description: "Unknown attribute." });
    await expect(proposePolicySet(admin, unknown.id)).rejects.toThrow(/colour/);
    expect([await statusOf(broken.id), await statusOf(unknown.id)]).toEqual(["draft", "draft"]);
  });

  it("keeps a text sent with CRLF line breaks as plain LF, so its hash and diff match the same text typed elsewhere", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes.replace(/\n/g, "\r\n"), description: "From a Windows editor." });
    expect(draft.text).toBe(forbidDeletes);
    expect(draft.hash).toBe(policySetHash(forbidDeletes));
  });

  it("oversized text, control characters, wrong types and unknown fields are refused with clear messages", async () => {
    const count = await db().policySet.count();
    const oversized = `// ${"x".repeat(maxPolicySetBytes)}\npermit (principal, action, resource);`;
    await expect(saveDraft(admin, { text: oversized })).rejects.toThrow(/at most 256 KB/);
    await expect(saveDraft(admin, { text: forbidDeletes, description: "bad\u0007bell" })).rejects.toThrow(/control or bidirectional/);
    await expect(saveDraft(admin, { text: forbidDeletes, description: "rtl\u202eoverride" })).rejects.toThrow(/control or bidirectional/);
    await expect(saveDraft(admin, { text: "permit (principal, action, resource);\u0000" })).rejects.toThrow(/control or bidirectional/);
    await expect(saveDraft(admin, { text: 42 })).rejects.toThrow(/must be text/);
    await expect(saveDraft(admin, "permit")).rejects.toThrow(ValidationError);
    await expect(saveDraft(admin, { text: forbidDeletes, status: "active" })).rejects.toThrow(ValidationError);
    await expect(approvePolicySet(approver, "not-a-uuid")).rejects.toThrow(ValidationError);
    await expect(approvePolicySet(approver, { id: "x" })).rejects.toThrow(ValidationError);
    await expect(getPolicySet(reviewer, "00000000-0000-4000-8000-000000000000")).rejects.toThrow(NotFoundError);
    await expect(saveDraft(admin, { text: forbidDeletes, basedOnId: "00000000-0000-4000-8000-000000000000" })).rejects.toThrow(NotFoundError);
    await expect(saveDraft(admin, { id: "00000000-0000-4000-8000-000000000000", text: forbidDeletes })).rejects.toThrow(NotFoundError);
    await expect(shadowDisagreements(reviewer, 0)).rejects.toThrow(/at least 1 hour/);
    expect(await db().policySet.count()).toBe(count);
  });

  it("nothing is activated by a refused step", async () => {
    const active = await activePolicySetRecord();
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Not yet." });
    await expect(activatePolicySet(approver, draft.id)).rejects.toThrow(/only approved sets/);
    await expect(rollBackPolicySet(approver, draft.id)).rejects.toThrow(ConflictError);
    expect((await activePolicySetRecord()).id).toBe(active.id);
  });
});

describe("shadow", () => {
  it("runs one proposed or approved set at a time beside the active one, audited; activation ends it", async () => {
    const draft = await saveDraft(admin, { text: forbidDeletes, description: "Shadow me." });
    await expect(setPolicySetShadow(approver, draft.id, true)).rejects.toThrow(/only proposed or approved/);
    await proposePolicySet(admin, draft.id);
    const shadowed = await setPolicySetShadow(approver, draft.id, true);
    expect(shadowed.shadowSince).toBeInstanceOf(Date);
    expect(await shadowDisagreements(reviewer)).toEqual({ policySet: { id: draft.id, number: draft.number }, disagreements: 0 });

    const other = await saveDraft(admin, { text: forbidDeletes, description: "Second shadow." });
    await proposePolicySet(admin, other.id);
    await expect(setPolicySetShadow(approver, other.id, true)).rejects.toThrow(/already runs in shadow/);
    await expect(setPolicySetShadow(approver, draft.id, "yes" as unknown as boolean)).rejects.toThrow(ValidationError);

    await approvePolicySet(approver, draft.id);
    const active = await activatePolicySet(approver, draft.id);
    expect(active.shadowSince).toBeNull();
    expect(await shadowDisagreements(reviewer)).toEqual({ policySet: null, disagreements: 0 });

    await setPolicySetShadow(approver, other.id, true);
    const stopped = await setPolicySetShadow(approver, other.id, false);
    expect(stopped.shadowSince).toBeNull();
    expect((await auditOf(other.id)).map((event) => event.action).slice(-2)).toEqual(["policy.shadow.start", "policy.shadow.stop"]);
  });
});

describe("listing", () => {
  it("lists every set newest first for people who may view them", async () => {
    const sets = await listPolicySets(approver);
    expect(sets.length).toBeGreaterThan(3);
    expect(sets.map((set) => set.number)).toEqual([...sets.map((set) => set.number)].sort((a, b) => b - a));
    expect(sets.at(-1)).toMatchObject({ number: 1, author: null });
    expect(sets[0]).not.toHaveProperty("text");
  });
});

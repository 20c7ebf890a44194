import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { defaultPolicyText } from "./default-policies";
import { maxPolicySetBytes } from "./policy-set";
import { policyTextProblems } from "./text-check";

describe("the editor's live check", () => {
  it("gives an author the problems of a text with line, column and policy id, and none for a valid one", async () => {
    const admin = await makeUser(["admin"]);
    expect(await policyTextProblems(admin, defaultPolicyText(["critical"]))).toEqual([]);
    const problems = await policyTextProblems(admin, `@id("bad")\nforbid (principal, action, resource)\nwhen { resource.nmae == "x" };\n`);
    expect(problems).toEqual([expect.objectContaining({ policyId: "bad", line: 3, column: expect.any(Number) })]);
  });

  it("answers wrong types, oversized and control-character texts with problems, never an exception", async () => {
    const admin = await makeUser(["admin"]);
    expect(await policyTextProblems(admin, 42)).toEqual([expect.objectContaining({ message: "A policy set must be text." })]);
    expect(await policyTextProblems(admin, "x".repeat(maxPolicySetBytes + 1))).toEqual([expect.objectContaining({ message: expect.stringMatching(/at most 256 KB/) })]);
    expect((await policyTextProblems(admin, "permit (principal, action, resource)\u0000;")).length).toBeGreaterThan(0);
  });

  it("refuses, and audits, anyone who may not write policies", async () => {
    const approver = await makeUser(["approver", "reviewer"]);
    await expect(policyTextProblems(approver, "")).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: approver.id, action: "policies.author", outcome: "denied" } })).toBe(1);
  });
});

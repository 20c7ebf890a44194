import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { describe, expect, it } from "vitest";
import { defaultPolicyText } from "./default-policies";
import { checkPolicySet, maxPolicySetBytes, validatePolicySet } from "./policy-set";
import { cedarSchemaText } from "./schema";

describe("policy sets", () => {
  it("the Toolgate schema parses", () => {
    expect(cedar.checkParseSchema(cedarSchemaText)).toEqual({ type: "success" });
  });

  it("the default set validates and names its policies and approval permits", () => {
    const check = checkPolicySet(defaultPolicyText(["critical"]));
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.policySet.policyIds).toEqual(["granted-tools", "reviewer-marked-approval", "environment-approval", "risk-tier-approval"]);
    expect([...check.policySet.approvalPolicyIds].sort()).toEqual(["environment-approval", "reviewer-marked-approval", "risk-tier-approval"]);
  });

  it("the same text compiles once: a second check returns the cached set", () => {
    const text = defaultPolicyText(["high"]);
    const first = checkPolicySet(text);
    const second = checkPolicySet(text);
    expect(first.ok && second.ok && first.policySet === second.policySet).toBe(true);
  });

  it("invalid Cedar is a problem with its line and column (at the unexpected token)", () => {
    const problems = validatePolicySet('permit (principal, action, resource);\n\nforbid (principal, action, resource)\nwhen { context.hourOfDay < };');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 4, column: 28 });
    expect(problems[0]?.message).toMatch(/unexpected token/);
  });

  it("an attribute the schema does not have is a problem naming the policy and the place", () => {
    const problems = validatePolicySet('@id("no-secrets")\nforbid (principal, action, resource)\nwhen { resource.sensitivity == "secret" };');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ policyId: "no-secrets", line: 3, column: 8 });
    expect(problems[0]?.message).toBe("for policy `no-secrets`, attribute `sensitivity` on entity type `Toolgate::Tool` not found");
  });

  it("a type error (a string compared with a number) is caught by strict validation", () => {
    const problems = validatePolicySet('forbid (principal, action, resource) when { context.hourOfDay < "8" };');
    expect(problems[0]).toMatchObject({ policyId: "policy0", line: 1 });
  });

  it("an oversized set is refused before Cedar reads it", () => {
    const text = `// ${"x".repeat(maxPolicySetBytes)}\npermit (principal, action, resource);`;
    expect(validatePolicySet(text)).toEqual([{ message: "A policy set must be at most 256 KB.", help: null, policyId: null, line: null, column: null }]);
  });

  it("two policies with the same @id are refused", () => {
    const problems = validatePolicySet('@id("a")\npermit (principal, action, resource);\n@id("a")\nforbid (principal, action, resource);');
    expect(problems[0]?.message).toBe('Two policies have the id "a"; each @id must be unique.');
  });

  it("templates are refused: phase 1 has static policies only", () => {
    expect(validatePolicySet("permit (principal == ?principal, action, resource);")[0]?.message).toMatch(/templates/);
  });

  it("input that is not text is a problem, not a crash", () => {
    expect(validatePolicySet(42)[0]?.message).toBe("A policy set must be text.");
  });

  it("a line and column count characters, not bytes, after non-ASCII text", () => {
    const problems = validatePolicySet('// Ünïcödé\nforbid (principal, action, resource) when { resource.nope };');
    expect(problems[0]).toMatchObject({ line: 2, column: 45 });
  });
});

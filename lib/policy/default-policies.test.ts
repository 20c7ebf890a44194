import { describe, expect, it } from "vitest";
import type { Environment, RiskTier } from "@/lib/generated/prisma/client";
import { defaultPolicyText } from "./default-policies";
import { decide, decideUncached } from "./engine";
import type { PolicyTool } from "./entities";
import { checkPolicySet } from "./policy-set";
import { aTool, anAgent } from "./test-facts";

// The rule the gateway applied before policies (its former approvalReasonOf in lib/gateway/resolution.ts),
// restated over the same facts, so the default set is checked against it case by case. Phase 2a removed
// that function; the gateway's own approval tests now run, unchanged, against the default set.
function approvalToday(tool: PolicyTool, environment: Environment, approvalTiers: readonly RiskTier[]): boolean {
  if (tool.reviewerRequiresApproval) return true;
  if (tool.approvalEnvironments.includes(environment)) return true;
  return !tool.readOnly && tool.riskTier !== null && approvalTiers.includes(tool.riskTier);
}

const tierSettings: RiskTier[][] = [["critical"], [], ["high", "critical"], ["low", "medium", "high", "critical"]];
const riskTiers: (RiskTier | null)[] = [null, "low", "medium", "high", "critical"];
const environments: Environment[] = ["dev", "staging", "prod"];
const environmentLists: Environment[][] = [[], ["prod"], ["dev", "staging"]];

const cases = tierSettings.flatMap((tiers) =>
  riskTiers.flatMap((riskTier) =>
    [true, false].flatMap((readOnly) =>
      [true, false].flatMap((reviewerRequiresApproval) =>
        environmentLists.flatMap((approvalEnvironments) => environments.map((environment) => ({ tiers, riskTier, readOnly, reviewerRequiresApproval, approvalEnvironments, environment }))),
      ),
    ),
  ),
);

describe("the default policy set", () => {
  it(`reproduces today's approval rule in all ${cases.length} combinations of setting, risk tier, read-only, reviewer mark and environment`, () => {
    const mismatches = cases.filter(({ tiers, environment, ...facts }) => {
      const check = checkPolicySet(defaultPolicyText(tiers));
      if (!check.ok) throw new Error(JSON.stringify(check.problems));
      const tool = aTool(facts);
      const input = { agent: anAgent({ environment }), tool, action: "tools/call", call: { at: new Date() } } as const;
      const expected = approvalToday(tool, environment, tiers) ? "approval" : "allow";
      // Twice remembered (the second from memory) and once straight from Cedar: all three agree.
      return [decide(check.policySet, input), decide(check.policySet, input), decideUncached(check.policySet, input)].some(({ decision }) => decision !== expected);
    });
    expect(mismatches).toEqual([]);
  });

  it("names the policy that asks for approval", () => {
    const check = checkPolicySet(defaultPolicyText(["critical"]));
    if (!check.ok) throw new Error("the default set is invalid");
    const result = decide(check.policySet, { agent: anAgent(), tool: aTool({ riskTier: "critical" }), action: "tools/call", call: { at: new Date() } });
    expect(result.decision).toBe("approval");
    expect([...result.policyIds].sort()).toEqual(["granted-tools", "risk-tier-approval"]);
  });

  it("lists every tool: approval applies to calls, not to tools/list", () => {
    const check = checkPolicySet(defaultPolicyText(["critical"]));
    if (!check.ok) throw new Error("the default set is invalid");
    const tool = aTool({ riskTier: "critical", reviewerRequiresApproval: true, approvalEnvironments: ["prod"] });
    expect(decide(check.policySet, { agent: anAgent(), tool, action: "tools/list", call: { at: new Date() } })).toEqual({ decision: "allow", policyIds: ["granted-tools"], errors: [] });
  });
});

import type { RiskTier } from "@/lib/generated/prisma/client";

// The policy set that reproduces the gateway's behaviour before policies (its former
// approvalReasonOf in lib/gateway/resolution.ts): every tool that passed grants, pins, kill switches and drift is allowed, and a
// call needs a person's approval when the reviewer marked the tool, when the entry asks for approval
// in the agent's environment, or when the tool is not read-only at a risk tier the list names.
//
// The risk-tier list is written into the text when the set is generated (set 1 is generated on upgrade
// from the retired setting `approvals.requiredForRiskTiers`, ./policy-sets.ts): a policy set says
// everything it decides, a replay of it needs no setting, and the Tool entity carries facts only.

/** The approval annotation's value that sends a permitted call to a person. */
export const approvalRequired = "required";

const cedarString = (value: string) => JSON.stringify(value);

export function defaultPolicyText(approvalRiskTiers: readonly RiskTier[]): string {
  const policies = [
    `@id("granted-tools")
// Grants, pins, kill switches and drift decide before policy: a tool that reaches policy is allowed.
permit (principal, action, resource);`,
    `@id("reviewer-marked-approval")
@approval(${cedarString(approvalRequired)})
permit (principal, action == Toolgate::Action::"tools/call", resource)
when { resource.reviewerRequiresApproval };`,
    `@id("environment-approval")
@approval(${cedarString(approvalRequired)})
permit (principal, action == Toolgate::Action::"tools/call", resource)
when { resource.approvalEnvironments.contains(principal.environment) };`,
  ];
  if (approvalRiskTiers.length > 0) {
    const tiers = [...new Set(approvalRiskTiers)].map(cedarString).join(", ");
    policies.push(`@id("risk-tier-approval")
@approval(${cedarString(approvalRequired)})
permit (principal, action == Toolgate::Action::"tools/call", resource)
when { !resource.readOnly && resource has riskTier && [${tiers}].contains(resource.riskTier) };`);
  }
  return `${policies.join("\n\n")}\n`;
}

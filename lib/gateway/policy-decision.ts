import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { AgentIdentity } from "@/lib/agents/keys";
import type { Environment, RiskTier } from "@/lib/generated/prisma/client";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { type DecisionResult, decide } from "@/lib/policy/engine";
import { type PolicyAgent, type PolicyTool, toolEntities } from "@/lib/policy/entities";
import { type CompiledPolicySet, checkPolicySet } from "@/lib/policy/policy-set";
import type { PolicyAction } from "@/lib/policy/schema";

// The gateway's side of the policy engine (docs/decisions/028): which policy set is active, the
// agent's facts, one decision per request, and an approval's reason in words for approvers.
//
// Until policy sets have tables, the active set is the default set generated from the setting
// `approvals.requiredForRiskTiers`. The setting is read with every agent view, and views are dropped
// on any settings change (./invalidation.ts), so a new value compiles a new set on the next view.

const activeSets = new Map<string, CompiledPolicySet>();
let replacementSet: CompiledPolicySet | null = null;

/**
 * Puts a compiled set in the default set's place (null restores it), for tests of what the gateway
 * does with a forbid until policy-set tables exist. Views already resolved keep their set: clear them.
 */
export function replaceActivePolicySet(policySet: CompiledPolicySet | null): void {
  replacementSet = policySet;
}

/** The active policy set for these approval risk tiers, compiled once per distinct list. */
export function activePolicySet(approvalRiskTiers: readonly RiskTier[]): CompiledPolicySet {
  if (replacementSet) return replacementSet;
  const key = approvalRiskTiers.join(",");
  let policySet = activeSets.get(key);
  if (!policySet) {
    const check = checkPolicySet(defaultPolicyText(approvalRiskTiers));
    // The default set is generated from a validated setting; failing here is a bug, not an input error.
    if (!check.ok) throw new Error(`The default policy set does not compile: ${check.problems.map((problem) => problem.message).join("; ")}`);
    policySet = check.policySet;
    activeSets.set(key, policySet);
  }
  return policySet;
}

/** A resolved tool's policy facts and their Cedar entities, built once with the agent's view. */
export interface ToolPolicyFacts {
  policy: PolicyTool;
  policyEntities: cedar.EntityJson[];
}

export function toolPolicyFacts(policy: PolicyTool): ToolPolicyFacts {
  return { policy, policyEntities: toolEntities(policy) };
}

// One PolicyAgent per identity object: the agent cache hands out the same identity for every request
// with the same key, so the decision cache's content key is computed once per identity too.
const policyAgents = new WeakMap<AgentIdentity, PolicyAgent>();

export function policyAgentOf(agent: AgentIdentity): PolicyAgent {
  let facts = policyAgents.get(agent);
  if (!facts) {
    facts = { agentId: agent.agentId, name: agent.name, teamId: agent.teamId, environment: agent.environment, scopes: agent.scopes, onBehalfOf: agent.onBehalfOf ?? null };
    policyAgents.set(agent, facts);
  }
  return facts;
}

/** The decision for one request; remembered by the engine, so repeating it costs a map lookup. */
export function decideFor(policySet: CompiledPolicySet, agent: PolicyAgent, tool: ToolPolicyFacts, action: PolicyAction, at: Date): DecisionResult {
  return decide(policySet, { agent, tool: tool.policy, action, call: { at }, toolEntities: tool.policyEntities });
}

// The default set's approval policies keep the words approvers read before policies existed; any
// other policy is named by its id.
function defaultPolicyReason(policyId: string, tool: PolicyTool, environment: Environment): string | null {
  const tier = tool.riskTier ? ` (risk ${tool.riskTier})` : "";
  switch (policyId) {
    case "reviewer-marked-approval":
      return `The reviewer marked ${tool.toolName} as needing approval for each call${tier}.`;
    case "environment-approval":
      return `The entry requires approval for ${tool.toolName} in ${environment}${tier}.`;
    case "risk-tier-approval":
      return `Policy: tools that are not read-only need approval at risk ${tool.riskTier}.`;
    default:
      return null;
  }
}

const defaultReasonOrder = ["reviewer-marked-approval", "environment-approval", "risk-tier-approval"];

/** Why a call needs a person, in words, from the approval policies that decided it; null unless the decision is approval. */
export function approvalWording(policySet: CompiledPolicySet, result: DecisionResult, tool: PolicyTool, environment: Environment): string | null {
  if (result.decision !== "approval") return null;
  const approvalIds = result.policyIds.filter((id) => policySet.approvalPolicyIds.has(id));
  for (const id of defaultReasonOrder) if (approvalIds.includes(id)) return defaultPolicyReason(id, tool, environment);
  return `Policy ${approvalIds.join(", ")} requires approval for each call.`;
}

/** The refusal of a denied request, naming the policies that forbade it (none: nothing permitted it). */
export function denialMessage(result: DecisionResult, exposedName: string): string {
  return result.policyIds.length > 0
    ? `${exposedName} is forbidden by policy ${result.policyIds.join(", ")}`
    : `${exposedName} is not permitted by any policy`;
}

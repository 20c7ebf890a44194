import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { AgentIdentity } from "@/lib/agents/keys";
import type { Environment } from "@/lib/generated/prisma/client";
import { type DecisionResult, decide } from "@/lib/policy/engine";
import { type PolicyAgent, type PolicyTool, toolEntities } from "@/lib/policy/entities";
import { type CompiledPolicySet, checkPolicySet } from "@/lib/policy/policy-set";
import { type PolicySetRecord, policySetRecordsInForce } from "@/lib/policy/policy-sets";
import type { PolicyAction } from "@/lib/policy/schema";
import { notePolicySetInForce } from "./policy-set-in-force";

// The gateway's side of the policy engine (docs/decisions/028, 029): which policy sets are in force,
// the agent's facts, one decision per request, and an approval's reason in words for approvers.
//
// The active set (and the one in shadow, if any) is read from the database with every agent view,
// and views are dropped on any change to policy_sets (its trigger notifies ./invalidation.ts), so an
// activation or rollback reaches every instance with the next view. Each set compiles once per hash.

export interface PolicySetsInForce {
  /** The set that decides. */
  active: CompiledPolicySet;
  /** A proposed or approved set decided beside it, whose disagreements are recorded; null when none runs. */
  shadow: CompiledPolicySet | null;
}

const compiledByHash = new Map<string, CompiledPolicySet>();

function compiled(record: PolicySetRecord): CompiledPolicySet | null {
  let policySet = compiledByHash.get(record.hash);
  if (!policySet) {
    const check = checkPolicySet(record.text);
    if (!check.ok) return null;
    policySet = check.policySet;
    compiledByHash.set(record.hash, policySet);
  }
  return policySet;
}

/** The policy sets in force, compiled; read with each agent view. */
export async function policySetsInForce(): Promise<PolicySetsInForce> {
  const records = await policySetRecordsInForce();
  const active = compiled(records.active);
  // Every active set was validated when proposed; one that no longer compiles (a schema that changed
  // under it) fails closed: no view, so no call, until a valid set is activated or rolled back to.
  if (!active) throw new Error(`The active policy set ${records.active.number} does not compile; activate or roll back to a valid set.`);
  notePolicySetInForce(active.hash);
  // A set in shadow that does not compile only loses its shadow run.
  return { active, shadow: records.shadow && compiled(records.shadow) };
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

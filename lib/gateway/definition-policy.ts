import type { AgentIdentity } from "@/lib/agents/keys";
import type { DecisionResult } from "@/lib/policy/engine";
import { policyAgentOf, decideFor, toolPolicyFacts, type ToolPolicyFacts } from "./policy-decision";
import type { AgentView } from "./resolution";
import type { DefinitionKind, DefinitionSource } from "./resource-view";

// The policy hook of resources/read and prompts/get (decision 032). The Cedar actions "resources/read" and
// "prompts/get" take a Tool entity rather than an entity type of their own: a policy then reads the same
// facts (server, version, risk tier, classification, certified) with the same names, the engine, its
// decision memory and replay need nothing new, and every policy set written so far stays valid. The
// entity's `name` is the URI (a template's URI template) or the prompt's name; a read is read-only,
// idempotent, not destructive. The default set permits both (its first policy permits every action).
// There is no approval flow for reads: a decision of approval is refused, like a deny, saying so.

const factsCache = new WeakMap<DefinitionSource, ToolPolicyFacts>();

function factsOf(source: DefinitionSource, name: string): ToolPolicyFacts {
  let facts = factsCache.get(source);
  if (!facts) {
    facts = toolPolicyFacts({
      serverId: source.serverId,
      serverName: source.serverName,
      versionId: source.versionId,
      version: source.version,
      toolName: name,
      riskTier: source.riskTier,
      readOnly: true,
      destructive: false,
      idempotent: true,
      openWorld: false,
      dataClassification: source.dataClassification,
      certified: source.certified,
      reviewerRequiresApproval: false,
      approvalEnvironments: [],
    });
    factsCache.set(source, facts);
  }
  return facts;
}

/** The active set's decision; approval counts as deny here (no person is asked for a read). */
export function decideDefinition(view: AgentView, agent: AgentIdentity, source: DefinitionSource, _kind: DefinitionKind, name: string, action: "resources/read" | "prompts/get"): DecisionResult {
  const result = decideFor(view.policySet, policyAgentOf(agent), factsOf(source, name), action, new Date());
  return result.decision === "approval" ? { ...result, decision: "deny" } : result;
}

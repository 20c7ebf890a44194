import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { type CompiledPolicySet, schemaName } from "./policy-set";
import { actionUid, agentEntities, agentUid, type CallFacts, callContext, type PolicyAgent, type PolicyTool, toolEntities, toolUid } from "./entities";
import type { PolicyAction } from "./schema";

// One decision against a compiled policy set. Cedar's rule holds: a forbid wins, and nothing permitted
// is denied. Toolgate adds one: a call allowed by any permit annotated @approval("required") goes to
// a person (the runtime-approval flow), so an approval permit can only add a step, never open a door
// another policy closed.

export type Decision = "allow" | "deny" | "approval";

export interface DecisionResult {
  decision: Decision;
  /** The policies that decided: the forbids for a deny, the permits for an allow or an approval; empty for a deny by default. */
  policyIds: string[];
  /** Policies that failed to evaluate (Cedar skips them; a failing forbid does not deny). */
  errors: { policyId: string; message: string }[];
}

export interface DecisionInput {
  agent: PolicyAgent;
  tool: PolicyTool;
  action: PolicyAction;
  call: CallFacts;
  /** The agent's and the tool's entities when the caller keeps them with its cached view (./entities.ts). */
  agentEntities?: cedar.EntityJson[];
  toolEntities?: cedar.EntityJson[];
}

export function decide(policySet: CompiledPolicySet, input: DecisionInput): DecisionResult {
  const { entity, context } = callContext(input.agent, input.call);
  const answer = cedar.statefulIsAuthorized({
    principal: agentUid(input.agent),
    action: actionUid(input.action),
    resource: toolUid(input.tool),
    context,
    entities: [...(input.agentEntities ?? agentEntities(input.agent)), ...(input.toolEntities ?? toolEntities(input.tool)), entity],
    preparsedPolicySetId: policySet.cacheId,
    preparsedSchemaName: schemaName,
    // The facts come from our own code; request validation would re-check them on every call.
    validateRequest: false,
  });
  if (answer.type !== "success") {
    // A request Cedar cannot evaluate is refused: failing closed, with the reason for the audit event.
    return { decision: "deny", policyIds: [], errors: answer.errors.map((error) => ({ policyId: "", message: error.message })) };
  }
  const { decision, diagnostics } = answer.response;
  const errors = diagnostics.errors.map(({ policyId, error }) => ({ policyId, message: error.message }));
  const policyIds = diagnostics.reason;
  if (decision === "deny") return { decision: "deny", policyIds, errors };
  const needsApproval = policyIds.some((id) => policySet.approvalPolicyIds.has(id));
  return { decision: needsApproval ? "approval" : "allow", policyIds, errors };
}

import { cedar } from "./cedar";
import { actionUid, agentEntities, agentUid, type CallFacts, callContext, type PolicyAgent, type PolicyTool, toolEntities, toolUid } from "./entities";
import type { CompiledPolicySet } from "./policy-set";
import type { PolicyAction } from "./schema";

// One decision against a compiled policy set. Cedar's rule holds: a forbid wins, and nothing permitted
// is denied. Toolgate adds one: a call allowed by any permit annotated @approval("required") goes to
// a person (the runtime-approval flow), so an approval permit can only add a step, never open a door
// another policy closed.
//
// Cost: cedar-wasm copies every entity across the JS/wasm boundary field by field, about 20-60 µs an
// entity on this machine, so one evaluation costs 0.1-0.2 ms whatever the policies. A decision is a
// pure function of the set, the agent's and tool's facts, the action and the context, so each one is
// remembered per set under a key of exactly those inputs (arguments, client address, hour and day only
// when the set's text names them). The facts were validated against the schema when the set was compiled, so
// evaluation skips request and entity validation.

export type Decision = "allow" | "deny" | "approval";

/** Shared between calls once remembered, so read-only. */
export interface DecisionResult {
  readonly decision: Decision;
  /** The policies that decided: the forbids for a deny, the permits for an allow or an approval; empty for a deny by default. */
  readonly policyIds: readonly string[];
  /** Policies that failed to evaluate (Cedar skips them; a failing forbid does not deny). */
  readonly errors: readonly { readonly policyId: string; readonly message: string }[];
}

export interface DecisionInput {
  /** Facts are read, never changed: a remembered decision is keyed on each object's content, computed once. */
  agent: PolicyAgent;
  tool: PolicyTool;
  action: PolicyAction;
  call: CallFacts;
  /** The agent's and the tool's entities when the caller keeps them with its cached view (./entities.ts). */
  agentEntities?: cedar.EntityJson[];
  toolEntities?: cedar.EntityJson[];
}

function evaluate(policySet: CompiledPolicySet, input: DecisionInput): DecisionResult {
  const { entity, context } = callContext(input.agent, input.call);
  const answer = cedar.statefulIsAuthorized({
    principal: agentUid(input.agent),
    action: actionUid(input.action),
    resource: toolUid(input.tool),
    context,
    entities: [...(input.agentEntities ?? agentEntities(input.agent)), ...(input.toolEntities ?? toolEntities(input.tool)), entity],
    preparsedPolicySetId: policySet.cacheId,
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

// ---- Remembered decisions ----

/** Enough for every agent × tool × hour of a large deployment; past it the memory starts over rather than grow. */
export const maxRememberedDecisions = 50_000;
const remembered = new WeakMap<CompiledPolicySet, Map<string, DecisionResult>>();
const contentKeys = new WeakMap<object, string>();

function contentKey(facts: PolicyAgent | PolicyTool): string {
  let key = contentKeys.get(facts);
  if (key === undefined) {
    key = JSON.stringify(facts);
    contentKeys.set(facts, key);
  }
  return key;
}

function decisionKey(policySet: CompiledPolicySet, input: DecisionInput): string {
  const { at, clientAddress, arguments: args } = input.call;
  return [
    input.action,
    contentKey(input.agent),
    contentKey(input.tool),
    policySet.readsHourOfDay ? at.getUTCHours() : "",
    policySet.readsDayOfWeek ? at.getUTCDay() : "",
    policySet.readsClientAddress ? (clientAddress ?? "") : "",
    policySet.readsArguments ? JSON.stringify(args ?? {}) : "",
  ].join("\u0000");
}

/** Allow, deny or approval for one request, and the policies that decided it. */
export function decide(policySet: CompiledPolicySet, input: DecisionInput): DecisionResult {
  let memory = remembered.get(policySet);
  if (!memory) {
    memory = new Map();
    remembered.set(policySet, memory);
  }
  const key = decisionKey(policySet, input);
  const known = memory.get(key);
  if (known) return known;
  const result = Object.freeze(evaluate(policySet, input));
  if (memory.size >= maxRememberedDecisions) memory.clear();
  memory.set(key, result);
  return result;
}

/** One evaluation by Cedar, never remembered: for the benchmark's raw cost, and for replay, which sees each call once. */
export const decideUncached = evaluate;

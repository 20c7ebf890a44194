import type { AgentIdentity } from "@/lib/agents/keys";
import { countShadowDisagreement, observeGatewayCall } from "@/lib/observability/metrics";
import type { Decision, DecisionResult } from "@/lib/policy/engine";
import { passApprovalGate, type WaitHooks } from "./approval-gate";
import { validateArguments, validateStructuredContent } from "./arguments";
import { argumentsHash, beginGatewayForward, enqueueGatewayAudit } from "./audit-queue";
import type { CallResult } from "./backend-exchange";
import { callTool, ToolDriftError } from "./backends";
import { cursorOffset, screenParams } from "./call-input";
import { claimIdempotencyKey, type IdempotencyClaim, settleIdempotencyKey } from "./idempotency";
import { consumeCallBudget } from "./limits";
import { approvalWording, decideFor, denialMessage, policyAgentOf } from "./policy-decision";
import { canonicalToolName, explainRefusalAt, viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { explainRefusal, type ResolvedTool, stoppedToolCode } from "./resolution";
import { cachedResult, resultCacheKey, storeResult } from "./result-cache";
import { jsonRpcErrorAnswer } from "./rpc-errors";
import { answerMetaTool, discoveryToolList, isMetaToolCall, listableTools } from "./discovery-tools";
import { GatewayRefusal } from "./gateway-refusal";

// The one virtual MCP server each agent sees: its tools/list and tools/call, independent of the
// protocol era that carries them (see lib/gateway/legacy.ts and lib/gateway/modern.ts).

const pageSize = 100;

/** Who the gateway is, to clients of both eras. */
export const gatewayServerInfo = { name: "toolgate-gateway", title: "Toolgate", version: "1.0.0" };

export { GatewayRefusal } from "./gateway-refusal";

function listedTool(tool: ResolvedTool) {
  return {
    name: tool.exposedName,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema,
    ...(tool.outputSchema ? { outputSchema: tool.outputSchema } : {}),
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
    _meta: { "io.toolgate/tool": { server: tool.serverName, version: tool.version, tool: tool.toolName, definitionHash: tool.definitionHash, requiresApproval: tool.requiresApproval } },
  };
}

function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const offset = cursorOffset(cursor);
  if (offset === null) throw new GatewayRefusal("Invalid params: params.cursor is not a cursor this gateway handed out.");
  return offset;
}

/** The agent's certified, promoted, granted, not-killed tools with their pinned definitions, a page at a time (of one endpoint's view, ./endpoint-view.ts). */
export async function listGatewayTools(agent: AgentIdentity, cursor?: string, endpoint: GatewayEndpoint | null = null) {
  const view = await viewAt(agent.agentId, endpoint);
  // Discovery mode (decision 034): the three meta-tools instead of every tool.
  const meta = discoveryToolList(agent, view, cursor);
  if (meta) return meta;
  const offset = decodeCursor(cursor);
  // A tool the active policy set forbids this agent to list is not in its listing (the call is refused too).
  const tools = listableTools(agent, view);
  const page = tools.slice(offset, offset + pageSize).map(listedTool);
  const next = offset + pageSize < tools.length ? Buffer.from(String(offset + pageSize)).toString("base64url") : undefined;
  return { tools: page, ...(next ? { nextCursor: next } : {}) };
}

/**
 * The audited -32602 answer to a tools/call or tools/list whose params no handler should see (see
 * ./call-input.ts), or null to serve the message. Both eras call it before their SDK parses the body.
 */
export function refuseMalformedParams(agent: AgentIdentity, body: unknown, correlationId: string): Response | null {
  const message = body as { id?: unknown; method?: unknown; params?: unknown } | null;
  const refusal = message && typeof message === "object" ? screenParams(message.method, message.params) : null;
  if (!refusal) return null;
  if (refusal.method === "tools/call") observeGatewayCall("refused", 0);
  enqueueGatewayAudit({
    agentId: agent.agentId,
    agentName: agent.name,
    onBehalfOf: agent.onBehalfOf ?? null,
    tool: refusal.tool,
    decision: "refused",
    reason: refusal.message,
    latencyMs: 0,
    correlationId,
    method: refusal.method,
  });
  return jsonRpcErrorAnswer(message!.id, -32602, refusal.message);
}

function toolError(text: string): CallResult {
  return { content: [{ type: "text", text }], isError: true };
}

interface Outcome {
  decision: "allowed" | "refused" | "failed";
  reason?: string;
  tool?: ResolvedTool;
  /** The runtime approval request the call waited for or used. */
  approvalId?: string;
  /** Set once the call is journaled as forwarded (see beginGatewayForward). */
  forwardKey?: string;
  /** The hash of the active policy set the call was decided under. */
  policySet?: string;
  /** The policies that denied the call or sent it to a person. */
  details?: Record<string, string>;
  /** The key this call claimed and must settle (./idempotency.ts). */
  claim?: IdempotencyClaim;
  /** Where this call's result goes in the result cache, when it missed (./result-cache.ts). */
  cacheKey?: string;
}

/**
 * tools/call, checked in order: (credential, at the HTTP edge; the params' shape, name and size, before
 * the SDK parses them, see refuseMalformedParams) kill switches, grant, pinned version and
 * drift (all part of the agent's resolved view), arguments against the pinned input schema, rate limit
 * and quota, approval (which may wait for a person, see ./approval-gate.ts); then the backend call,
 * whose structuredContent must match the pinned output schema. Every outcome is audited without
 * waiting for the database.
 */
// The audit events below name the caller property by property, not by spreading callerOf(agent): on this
// path the spread cost about 0.1 ms of CPU per call in `npm run bench:gateway` (measured, 2026-11-30).
export async function callGatewayTool(
  agent: AgentIdentity,
  name: string,
  args: Record<string, unknown>,
  correlationId: string,
  hooks: WaitHooks = {},
  endpoint: GatewayEndpoint | null = null,
  /** `_meta["io.toolgate/idempotency-key"]`, screened (./idempotency-key.ts). */
  idempotencyKey?: string,
  /** The meta-tool that made this call (decision 034), named in its audit event; such a call is never a meta-tool's. */
  via: "call_tool" | null = null,
): Promise<CallResult> {
  const started = performance.now();
  const outcome: Outcome = { decision: "refused" };
  // Hashed inside the try, so even a value the edge screen let through that breaks hashing is audited.
  let hash: string | undefined;
  try {
    hash = argumentsHash(args);
    const result = await checkedCall({ agent, name, args, correlationId, argumentsHash: hash, endpoint, idempotencyKey, via }, outcome, hooks);
    if (outcome.decision !== "refused") outcome.decision = result.isError ? "failed" : "allowed";
    if (outcome.claim) await settleIdempotencyKey(outcome.claim, result);
    if (outcome.cacheKey !== undefined && outcome.decision === "allowed") storeResult(outcome.cacheKey, result, outcome.tool!.resultCacheTtlMs);
    return result;
  } catch (error) {
    if (outcome.claim) await settleIdempotencyKey(outcome.claim, null);
    outcome.reason ??= error instanceof Error ? error.message : String(error);
    if (error instanceof ToolDriftError) {
      outcome.decision = "refused";
      throw new GatewayRefusal(error.message, stoppedToolCode);
    }
    if (!(error instanceof GatewayRefusal)) outcome.decision = "failed";
    throw error;
  } finally {
    const latencyMs = performance.now() - started;
    if (via) (outcome.details ??= {}).via = via;
    observeGatewayCall(outcome.decision, latencyMs / 1000);
    enqueueGatewayAudit({
      agentId: agent.agentId,
      agentName: agent.name,
      onBehalfOf: agent.onBehalfOf ?? null,
      serverId: outcome.tool?.serverId,
      serverName: outcome.tool?.serverName,
      tool: outcome.tool?.toolName ?? name,
      version: outcome.tool?.version,
      decision: outcome.decision,
      reason: outcome.reason,
      latencyMs,
      correlationId,
      argumentsHash: hash,
      approvalId: outcome.approvalId,
      method: "tools/call",
      forwardKey: outcome.forwardKey,
      policySet: outcome.policySet,
      // Which endpoint carried the call, when not /mcp (only those pay for the copy).
      details: endpoint ? { ...outcome.details, endpoint: endpoint.path } : outcome.details,
    });
  }
}

/** A set in shadow decides each call too; where it disagrees with the active set, the call's event and a counter say so. */
function recordShadowDecision(outcome: Outcome, active: Decision, shadow: DecisionResult, shadowHash: string): void {
  if (shadow.decision === active) return;
  const details = (outcome.details ??= {});
  details.shadowDecision = shadow.decision;
  details.shadowPolicySet = shadowHash;
  details.shadowPolicyIds = shadow.policyIds.join(",");
  countShadowDisagreement(active, shadow.decision);
}

interface Call {
  agent: AgentIdentity;
  name: string;
  args: Record<string, unknown>;
  correlationId: string;
  argumentsHash: string;
  endpoint: GatewayEndpoint | null;
  idempotencyKey: string | undefined;
  via: "call_tool" | null;
}

async function checkedCall({ agent, name, args, correlationId, argumentsHash, endpoint, idempotencyKey, via }: Call, outcome: Outcome, hooks: WaitHooks): Promise<CallResult> {
  const view = await viewAt(agent.agentId, endpoint);
  const { toolsByName, backends, policySet, shadowPolicySet } = view;
  outcome.policySet = policySet.hash;
  if (via === null && isMetaToolCall(agent, view, name)) {
    const call = (inner: string, innerArgs: Record<string, unknown>) => callGatewayTool(agent, inner, innerArgs, correlationId, hooks, endpoint, idempotencyKey, "call_tool");
    return answerMetaTool({ agent, view, name, args, endpoint, outcome, call, describe: listedTool });
  }
  const tool = toolsByName.get(name);
  if (!tool) {
    // The agent hears "no such tool" for any tool it may not see; the audit row gets the reason.
    const { toAgent, code, toAudit } = endpoint ? await explainRefusalAt(agent.agentId, endpoint, name) : await explainRefusal(agent.agentId, name);
    outcome.reason = toAudit;
    throw new GatewayRefusal(toAgent, code);
  }
  outcome.tool = tool;
  // Policy decides after kill switches, grants, pins and drift (the view) with this call's identity and time.
  const policyAgent = policyAgentOf(agent);
  const at = new Date();
  const policy = decideFor(policySet, policyAgent, tool, "tools/call", at);
  if (policy.decision !== "allow") outcome.details = { policyIds: policy.policyIds.join(",") };
  if (shadowPolicySet) recordShadowDecision(outcome, policy.decision, decideFor(shadowPolicySet, policyAgent, tool, "tools/call", at), shadowPolicySet.hash);
  if (policy.decision === "deny") {
    outcome.reason = denialMessage(policy, name);
    throw new GatewayRefusal(outcome.reason, stoppedToolCode);
  }
  const requiresApproval = policy.decision === "approval";
  const validation = validateArguments(tool, args);
  if (!validation.ok) {
    outcome.reason = validation.message;
    return toolError(validation.message);
  }
  // The budget is spent before an approval request opens: a flood of calls must not become a flood of requests.
  const budget = await consumeCallBudget(agent.agentId, endpoint ? canonicalToolName(tool) : name);
  if (!budget.allowed) throw new GatewayRefusal(budget.reason, -32000);
  if (requiresApproval) {
    const reason = approvalWording(policySet, policy, tool.policy, agent.environment);
    const gate = await passApprovalGate(agent, tool, args, argumentsHash, correlationId, hooks, reason);
    outcome.approvalId = gate.approvalId;
    if (gate.kind === "denied" || gate.kind === "refused") throw new GatewayRefusal(gate.message, -32000);
    if (gate.kind === "not_approved") {
      outcome.reason = gate.message;
      return toolError(gate.message);
    }
  }
  // After every check, instead of the backend: a cached read, or a retried write's first result (decision 035).
  if (tool.resultCacheTtlMs > 0 || idempotencyKey !== undefined) {
    const answered = await answerWithoutBackend(agent, tool, argumentsHash, idempotencyKey, outcome);
    if (answered) return answered;
  }
  // Journaled before the backend sees it, so the call is audited even if this process is killed meanwhile.
  const forwardKey = await beginGatewayForward({ agentId: agent.agentId, agentName: agent.name, onBehalfOf: agent.onBehalfOf ?? null, serverId: tool.serverId, serverName: tool.serverName, tool: tool.toolName, version: tool.version, correlationId, argumentsHash, approvalId: outcome.approvalId, method: "tools/call", policySet: policySet.hash });
  if (!forwardKey) throw new GatewayRefusal("The gateway is shutting down and forwards no new calls: retry shortly.", -32000);
  outcome.forwardKey = forwardKey;
  outcome.decision = "allowed";
  // A tool that changes things or needs a person is not forwarded on a definition listed too long ago.
  const freshDefinition = requiresApproval || !tool.readOnly;
  // The agent's own upstream session, so a stateful backend never mixes two agents' state.
  const result = await callTool(backends.get(tool.serverId)!, tool.toolName, args, { readOnly: tool.readOnly, freshDefinition, agent, argumentsHash, signal: hooks.signal, relay: hooks.relay, correlationId });
  if (tool.outputSchema && result.structuredContent !== undefined && !result.isError) {
    const output = validateStructuredContent(tool, result.structuredContent);
    if (!output.ok) {
      outcome.decision = "failed";
      outcome.reason = output.message;
      return toolError(output.message);
    }
  }
  return result;
}

/**
 * The answer the gateway gives itself, or undefined to forward the call (decision 035): a fresh cached
 * result of a read-only, idempotent tool, or the first result of a write retried with its idempotency key.
 * Refuses a key reused with other arguments or still in flight. Not called (no promise) when neither applies.
 */
async function answerWithoutBackend(agent: AgentIdentity, tool: ResolvedTool, argumentsHash: string, idempotencyKey: string | undefined, outcome: Outcome): Promise<CallResult | undefined> {
  if (tool.resultCacheTtlMs > 0) {
    const key = resultCacheKey(agent, tool, argumentsHash);
    const cached = cachedResult(key);
    if (cached) {
      outcome.decision = "allowed";
      (outcome.details ??= {}).cache = "hit";
      return cached;
    }
    outcome.cacheKey = key;
  }
  if (idempotencyKey === undefined || tool.readOnly) return undefined;
  const idempotency = await claimIdempotencyKey(agent.agentId, idempotencyKey, tool, argumentsHash);
  if ("refusal" in idempotency) throw new GatewayRefusal(idempotency.refusal, idempotency.code);
  if ("claim" in idempotency) {
    outcome.claim = idempotency.claim;
    return undefined;
  }
  outcome.decision = "allowed";
  (outcome.details ??= {}).idempotency = "replay";
  return idempotency.replay;
}

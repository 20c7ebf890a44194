import type { AgentIdentity } from "@/lib/agents/keys";
import { isPlainObject } from "@/lib/json/plain-object";
import { countLeanCall } from "@/lib/observability/metrics";
import { idempotencyKeyOf } from "./idempotency-key";
import { decideFor, policyAgentOf } from "./policy-decision";
import { viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { toolCalledBy } from "./discovery-tools";
import { handlerError } from "./rpc-errors";
import { callGatewayTool, gatewayServerInfo, listGatewayTools } from "./virtual-server";

// The common tools/call and tools/list without the SDK server in between: the edge has parsed the body
// and screened its params (./call-input.ts), the governance is the same callGatewayTool, and the answer
// is serialised once, as the message the SDK server would have sent (its key order, its error mapping),
// so a client cannot tell the two paths apart (lib/gateway/lean-call.test.ts compares their bytes). Anything less common —
// a progress token, a call that waits for a person's approval — takes the SDK path, which relays
// notifications while the call runs.

export interface LeanCall {
  id: string | number;
  name: string;
  args: Record<string, unknown>;
  /** `_meta["io.toolgate/idempotency-key"]` (./idempotency-key.ts); absent, not undefined, when the call has none. */
  idempotencyKey?: string;
}


export interface LeanList {
  id: string | number;
  cursor?: string;
}

/** The id and params of a request for `method` the lean path may serve: no progress token, no task. */
function leanRequestOf(body: unknown, method: string): { id: string | number; params: Record<string, unknown> } | null {
  if (!isPlainObject(body) || body.method !== method || body.jsonrpc !== "2.0") return null;
  const { id, params = {} } = body;
  if ((typeof id !== "string" && typeof id !== "number") || !isPlainObject(params)) return null;
  if (params.task !== undefined || (isPlainObject(params._meta) && params._meta.progressToken !== undefined)) return null;
  return { id, params };
}

/** The tools/call request in a parsed body that the lean path may serve, or null. */
export function leanCallOf(body: unknown): LeanCall | null {
  const request = leanRequestOf(body, "tools/call");
  if (!request || typeof request.params.name !== "string") return null;
  const args = request.params.arguments ?? {};
  if (!isPlainObject(args)) return null;
  // Read only when there is a _meta, so a plain call allocates nothing more.
  const idempotencyKey = request.params._meta === undefined ? undefined : idempotencyKeyOf(request.params._meta);
  return idempotencyKey === undefined ? { id: request.id, name: request.params.name, args } : { id: request.id, name: request.params.name, args, idempotencyKey };
}

/** The tools/list request in a parsed body that the lean path may serve, or null. */
export function leanListOf(body: unknown): LeanList | null {
  const request = leanRequestOf(body, "tools/list");
  if (!request) return null;
  const { cursor } = request.params;
  if (cursor !== undefined && typeof cursor !== "string") return null;
  return cursor === undefined ? { id: request.id } : { id: request.id, cursor };
}

/**
 * The JSON-RPC answer to the call, serialised, or null when the tool needs the SDK path (it waits for
 * an approval). Errors map as the SDK server maps a handler's: an integer `code` is kept, anything
 * else is -32603, and `data` goes along when there is some.
 */
export async function answerLeanCall(agent: AgentIdentity, call: LeanCall, correlationId: string, era: "legacy" | "modern" = "legacy", endpoint: GatewayEndpoint | null = null, signal?: AbortSignal): Promise<string | null> {
  const view = await viewAt(agent.agentId, endpoint);
  const { toolsByName, policySet } = view;
  // In discovery mode, call_tool's approval is the tool it names (./discovery-tools.ts).
  const tool = toolsByName.get(toolCalledBy(agent, view, call.name, call.args) ?? "");
  // The view's mark is the agent's own decision when the view loaded; this request's scopes, the user it
  // acts for and its time may need a person where the view did not (a remembered decision: a map lookup).
  if (tool && (tool.requiresApproval || decideFor(policySet, policyAgentOf(agent), tool, "tools/call", new Date()).decision === "approval")) return null;
  countLeanCall();
  const result = () => callGatewayTool(agent, call.name, call.args, correlationId, { signal }, endpoint, call.idempotencyKey);
  return answer(call.id, era === "legacy" ? result : async () => stampedResult(await result()));
}

/**
 * A tools/call result as the 2026-07-28 SDK encodes it (its "encode contract"): a `resultType` of
 * "complete" unless the result has one, and the server's identity in `_meta` unless the result names
 * one there (a `_meta` that is not an object is left as it is).
 */
function stampedResult(result: Record<string, unknown>): Record<string, unknown> {
  const typed = result.resultType === undefined ? { ...result, resultType: "complete" } : result;
  const meta = typed._meta;
  if (meta === undefined) return { ...typed, _meta: { [serverInfoKey]: gatewayServerInfo } };
  if (!isPlainObject(meta) || meta[serverInfoKey] !== undefined) return typed;
  return { ...typed, _meta: { ...meta, [serverInfoKey]: gatewayServerInfo } };
}

const serverInfoKey = "io.modelcontextprotocol/serverInfo";

/** The JSON-RPC answer to the listing, serialised. */
export function answerLeanList(agent: AgentIdentity, list: LeanList, endpoint: GatewayEndpoint | null = null): Promise<string> {
  return answer(list.id, () => listGatewayTools(agent, list.cursor, endpoint));
}

async function answer(id: string | number, handle: () => Promise<unknown>): Promise<string> {
  try {
    return JSON.stringify({ result: await handle(), jsonrpc: "2.0", id });
  } catch (error) {
    return JSON.stringify({ jsonrpc: "2.0", id, error: handlerError(error) });
  }
}

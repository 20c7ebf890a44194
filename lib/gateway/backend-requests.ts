import { CreateMessageRequestSchema, CreateMessageResultSchema, ElicitRequestSchema, ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import type { AgentIdentity } from "@/lib/agents/keys";
import type { GatewayMethod } from "@/lib/audit/actions";
import type { GuardedRequest } from "@/lib/net/outbound";
import type { UpstreamIdentity } from "@/lib/signing/upstream-token";
import { enqueueGatewayAudit } from "./audit-queue";
import type { CallRelay } from "./call-relay";

// A backend's own requests during a call (decision 036): elicitation/create (ask the person) and
// sampling/createMessage (ask the client's model), sent on the call's stream. Relayed to the client as a
// request related to its tools/call when the client declared the capability and its call is on the SDK
// path (a 2026-07-28 client: through input_required, ./suspended-calls.ts); otherwise the backend gets a
// JSON-RPC error (-32601, as from a client without the capability).
// Either way the relay is audited as `gateway.<method>`: who, which server and tool, the outcome; never
// the content. A ping is answered here; anything else a backend asks is refused.

/** What the exchange knows of the call, for answering and auditing the backend's requests. */
export interface BackendRequestContext {
  post: GuardedRequest;
  url: URL;
  headers: Record<string, string>;
  timeoutMs: number;
  tool: string;
  relay?: CallRelay;
  backend?: { serverId: string; serverName: string };
  caller?: UpstreamIdentity;
  correlationId?: string;
}

const relayed = {
  "elicitation/create": { request: ElicitRequestSchema, result: ElicitResultSchema },
  "sampling/createMessage": { request: CreateMessageRequestSchema, result: CreateMessageResultSchema },
} as const;

export type RelayedMethod = keyof typeof relayed;

/** The result schema the client's answer to a relayed request is checked with. */
export function relayedResultSchema(method: RelayedMethod) {
  return relayed[method].result;
}

/**
 * The relay's `ask` for a client with these capabilities: undefined when it declared neither; otherwise
 * a request for a capability it lacks fails with -32601 and the others go out with `send`.
 */
export function clientAsker(capabilities: { elicitation?: unknown; sampling?: unknown } | undefined, send: (method: RelayedMethod, params: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>): CallRelay["ask"] {
  if (!capabilities?.elicitation && !capabilities?.sampling) return undefined;
  return (method, params, signal) => {
    if (!(method === "elicitation/create" ? capabilities.elicitation : capabilities.sampling)) {
      return Promise.reject(Object.assign(new Error(`Method not found: the client did not declare ${capabilityOf(method)}.`), { code: -32601 }));
    }
    return send(method, params, signal);
  };
}

type Answer = { result: unknown } | { error: { code: number; message: string } };

// The backend's requests still being asked, per call exchange (its object is the key), so that the backend's
// notifications/cancelled for one withdraws it from the client too (the SDK then tells the client).
const asking = new WeakMap<object, Map<string | number, AbortController>>();

/** The backend withdrew a request it made during the call (`exchange`): the client's side of it is cancelled. */
export function cancelBackendRequest(exchange: object, message: { params?: unknown }): void {
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
  if (typeof requestId !== "string" && typeof requestId !== "number") return;
  asking.get(exchange)?.get(requestId)?.abort(new DOMException("The backend cancelled its request.", "AbortError"));
}

/** Answers one request the backend sent on the call's stream (`exchange`); never throws (a failure is the call's to notice). */
export function answerBackendRequest(context: BackendRequestContext, message: { id?: unknown; method?: unknown }, exchange: object): void {
  const id = message.id;
  if (typeof id !== "string" && typeof id !== "number") return;
  let pending = asking.get(exchange);
  if (!pending) asking.set(exchange, (pending = new Map()));
  const controller = new AbortController();
  pending.set(id, controller);
  void answerFor(context, message, controller.signal)
    .finally(() => pending.delete(id))
    .then(async (answer) => {
      const body = JSON.stringify({ jsonrpc: "2.0", id, ...answer });
      const headers = { ...context.headers, "content-type": "application/json", accept: "application/json, text/event-stream" };
      const response = await context.post(context.url, { headers, body, timeoutMs: context.timeoutMs });
      await response.body.dump();
    })
    .catch((error: unknown) => console.error(`[toolgate] answering backend ${context.backend?.serverName ?? ""}'s request failed:`, error instanceof Error ? error.message : error));
}

async function answerFor(context: BackendRequestContext, message: { method?: unknown }, signal: AbortSignal): Promise<Answer> {
  if (message.method === "ping") return { result: {} };
  if (message.method !== "elicitation/create" && message.method !== "sampling/createMessage") {
    return { error: { code: -32601, message: `Method not found: the gateway does not relay ${String(message.method).slice(0, 100)} from backends.` } };
  }
  const method = message.method;
  const started = performance.now();
  const parsed = relayed[method].request.safeParse(message);
  let answer: Answer;
  if (!parsed.success) answer = { error: { code: -32602, message: `Invalid params: the ${method} request is not valid MCP.` } };
  else if (!context.relay?.ask) answer = { error: { code: -32601, message: `Method not found: the client did not declare ${capabilityOf(method)}, or its call cannot carry requests.` } };
  else {
    try {
      answer = { result: await context.relay.ask(method, parsed.data.params as Record<string, unknown>, signal) };
    } catch (error) {
      const { code, message: words } = (error ?? {}) as { code?: unknown; message?: unknown };
      answer = { error: { code: Number.isSafeInteger(code) ? (code as number) : -32603, message: typeof words === "string" ? words.replace(/^MCP error -?\d+: /, "") : "The client could not answer." } };
    }
  }
  audit(context, method, answer, performance.now() - started);
  return answer;
}

function capabilityOf(method: RelayedMethod): string {
  return method === "elicitation/create" ? "elicitation" : "sampling";
}

function audit(context: BackendRequestContext, method: GatewayMethod, answer: Answer, latencyMs: number): void {
  // The gateway's calls carry the agent's full identity (lib/gateway/virtual-server.ts passes an AgentIdentity).
  const caller = context.caller as AgentIdentity | undefined;
  const refused = "error" in answer;
  enqueueGatewayAudit({
    agentId: caller?.agentId ?? null,
    agentName: caller?.name ?? null,
    onBehalfOf: caller?.onBehalfOf ?? null,
    serverId: context.backend?.serverId,
    serverName: context.backend?.serverName,
    tool: context.tool,
    decision: refused ? "refused" : "allowed",
    reason: refused ? answer.error.message : undefined,
    latencyMs,
    correlationId: context.correlationId ?? "",
    method,
    // What the person did with an elicitation (accept, decline, cancel), never what they entered.
    details: !refused && method === "elicitation/create" ? { clientAction: String((answer.result as { action?: unknown }).action) } : undefined,
  });
}

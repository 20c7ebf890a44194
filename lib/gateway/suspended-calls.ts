import { randomBytes } from "node:crypto";
import { inputRequired } from "@modelcontextprotocol/server";
import type { AgentIdentity } from "@/lib/agents/keys";
import { enqueueGatewayAudit } from "./audit-queue";
import { clientAsker, type RelayedMethod, relayedResultSchema } from "./backend-requests";
import type { CallRelay } from "./call-relay";
import { explainRefusalAt, viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { GatewayRefusal } from "./gateway-refusal";
import { instanceTag } from "./instance-tag";
import { explainRefusal } from "./resolution";

// A backend's elicitation or sampling request during a 2026-07-28 client's call (decision 036). That era has
// no server-to-client request mid-call: the gateway keeps the backend's call running, suspended on the
// request, in this process's memory, and answers the client's tools/call with `input_required` carrying the
// backend's request and a requestState naming the suspension (random, 256 bits, bound to the agent, the
// tool and the arguments). The client's retry (same call + inputResponses + requestState) hands its answer
// to the backend and waits for the call's next step: its result, or the next input_required. A suspension
// not resumed in time is dropped and the backend gets an error; a forged, expired or other agent's
// requestState is refused and audited. Bounded: past `maxSuspensions` the backend gets an error at once.
// A suspension lives in one instance: its requestState starts with that instance's tag (./instance-tag.ts),
// so a retry the load balancer sends to another instance is forwarded to it through the database
// (./call-resumptions.ts, decision 038).

type Asked = { method: RelayedMethod; params: Record<string, unknown>; answer: (result: unknown) => void; fail: (error: unknown) => void };
type Step = { kind: "asked"; asked: Asked } | { kind: "done"; result: unknown } | { kind: "failed"; error: unknown };

/** A call whose backend may ask: its steps, in order, as the client's requests come for them. */
class AskingCall {
  readonly controller = new AbortController();
  private readonly queued: Step[] = [];
  private waiter: ((step: Step) => void) | undefined;

  push(step: Step): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter) waiter(step);
    else this.queued.push(step);
  }

  next(): Promise<Step> {
    const step = this.queued.shift();
    return step ? Promise.resolve(step) : new Promise((resolve) => (this.waiter = resolve));
  }
}

interface Suspension {
  agentId: string;
  name: string;
  args: string;
  call: AskingCall;
  asked: Asked;
  timer: NodeJS.Timeout;
}

const suspensions = new Map<string, Suspension>();
export const maxSuspensions = 1000;
let timeoutMs = 5 * 60_000;
/** The key of the one input request an input_required result carries. */
const inputKey = "backend_request";

/** For tests: how long a suspension waits for the client's retry. */
export function setSuspensionTimeoutForTests(ms: number): void {
  timeoutMs = ms;
}

/** How many calls are suspended now. */
export function suspendedCallCount(): number {
  return suspensions.size;
}

function rpcError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Whether a 2026-07-28 request's declared capabilities let the gateway relay a backend's requests to it. */
export function declaresRelayCapability(capabilities: unknown): capabilities is { elicitation?: unknown; sampling?: unknown } {
  const declared = capabilities as { elicitation?: unknown; sampling?: unknown } | null | undefined;
  return typeof declared === "object" && declared !== null && (Boolean(declared.elicitation) || Boolean(declared.sampling));
}

/**
 * Runs a call whose client declared elicitation or sampling: `run` makes the call with the relay's `ask` and
 * the call's own abort signal (the client's request only aborts it until the call's first step).
 */
export function startAskingCall(
  agent: AgentIdentity,
  name: string,
  args: Record<string, unknown>,
  capabilities: { elicitation?: unknown; sampling?: unknown },
  clientSignal: AbortSignal | undefined,
  run: (ask: CallRelay["ask"], signal: AbortSignal) => Promise<unknown>,
): Promise<unknown> {
  const call = new AskingCall();
  const ask = clientAsker(capabilities, (method, params, signal) => {
    return new Promise((answer, fail) => {
      if (signal.aborted) return fail(signal.reason);
      signal.addEventListener("abort", () => fail(signal.reason), { once: true });
      call.push({ kind: "asked", asked: { method, params, answer, fail } });
    });
  });
  run(ask, call.controller.signal).then(
    (result) => call.push({ kind: "done", result }),
    (error: unknown) => call.push({ kind: "failed", error }),
  );
  return advance(agent, name, JSON.stringify(args), call, clientSignal);
}

async function advance(agent: AgentIdentity, name: string, args: string, call: AskingCall, clientSignal: AbortSignal | undefined): Promise<unknown> {
  const cancel = () => call.controller.abort(clientSignal?.reason);
  clientSignal?.addEventListener("abort", cancel, { once: true });
  // Closed before the call got here (a forwarded retry given up while it was checked: ./resumption-holder.ts).
  if (clientSignal?.aborted) cancel();
  try {
    for (;;) {
      const step = await call.next();
      if (step.kind === "done") return step.result;
      if (step.kind === "failed") throw step.error;
      if (suspensions.size >= maxSuspensions) {
        step.asked.fail(rpcError(-32603, "Too many calls are waiting for their clients' input at the gateway; try again later."));
        continue;
      }
      const requestState = `${instanceTag()}.${randomBytes(32).toString("base64url")}`;
      const timer = setTimeout(() => {
        suspensions.delete(requestState);
        step.asked.fail(rpcError(-32001, "The client did not answer in time: the gateway dropped the request."));
      }, timeoutMs);
      timer.unref();
      suspensions.set(requestState, { agentId: agent.agentId, name, args, call, asked: step.asked, timer });
      return inputRequired({ inputRequests: { [inputKey]: { method: step.asked.method, params: step.asked.params } } as never, requestState });
    }
  } finally {
    clientSignal?.removeEventListener("abort", cancel);
  }
}

/** A client's retry of a suspended call, as its request gave it. */
export interface CallRetry {
  agent: AgentIdentity;
  name: string;
  args: Record<string, unknown>;
  requestState: unknown;
  inputResponses: Record<string, unknown> | undefined;
  correlationId: string;
  clientSignal: AbortSignal | undefined;
  endpoint: GatewayEndpoint | null;
}

/**
 * The client's retry of a suspended call: the agent's view is checked again (a kill switch engaged, a grant
 * revoked or drift found meanwhile refuses it, audited, and the backend's call is cancelled); then the client's answer goes to the backend
 * and the call goes on to its next step.
 */
export async function resumeCall({ agent, name, args, requestState, inputResponses, correlationId, clientSignal, endpoint }: CallRetry): Promise<unknown> {
  const suspension = typeof requestState === "string" ? suspensions.get(requestState) : undefined;
  const argsKey = JSON.stringify(args);
  if (!suspension || suspension.agentId !== agent.agentId || suspension.name !== name || suspension.args !== argsKey) {
    const reason = "Invalid or expired requestState: no call of this agent's waits for it.";
    refuse(agent, name, correlationId, reason, reason, -32602);
  }
  suspensions.delete(requestState as string);
  clearTimeout(suspension.timer);
  const { asked, call } = suspension;
  const view = await viewAt(agent.agentId, endpoint);
  if (!view.toolsByName.has(name)) {
    const { toAgent, code, toAudit } = endpoint ? await explainRefusalAt(agent.agentId, endpoint, name) : await explainRefusal(agent.agentId, name);
    asked.fail(rpcError(-32603, "The call was stopped at the gateway."));
    call.controller.abort(new GatewayRefusal(toAgent, code));
    refuse(agent, name, correlationId, toAudit, toAgent, code);
  }
  const parsed = relayedResultSchema(asked.method).safeParse(inputResponses?.[inputKey]);
  if (parsed.success) asked.answer(parsed.data);
  else asked.fail(rpcError(-32602, `Invalid params: the client's answer to ${asked.method} is missing or not valid MCP.`));
  return advance(agent, name, argsKey, call, clientSignal);
}

/** Whether a requestState names a call suspended in this process now. */
export function isSuspendedHere(requestState: unknown): boolean {
  return typeof requestState === "string" && suspensions.has(requestState);
}

/** How long a suspension waits for the client's retry (a retry forwarded to another instance waits no longer: ./call-resumptions.ts). */
export function suspensionTimeoutMs(): number {
  return timeoutMs;
}

/** Whether a requestState has the shape this gateway gives one, but another instance's tag (the retry is forwarded there: ./call-resumptions.ts). */
export function heldElsewhere(requestState: unknown): boolean {
  if (typeof requestState !== "string" || requestState.length !== 52 || requestState[8] !== ".") return false;
  const tag = requestState.slice(0, 8);
  return tag !== instanceTag() && /^[\w-]{8}\.[\w-]{43}$/.test(requestState);
}

/** Refuses a retry: audited as the call's refusal, answered as a JSON-RPC error. */
export function refuse(agent: AgentIdentity, name: string, correlationId: string, reason: string, toAgent: string, code: number): never {
  enqueueGatewayAudit({
    agentId: agent.agentId,
    agentName: agent.name,
    onBehalfOf: agent.onBehalfOf ?? null,
    tool: name,
    decision: "refused",
    reason,
    latencyMs: 0,
    correlationId,
    method: "tools/call",
  });
  throw new GatewayRefusal(toAgent, code);
}

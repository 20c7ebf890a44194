import { randomUUID } from "node:crypto";
import type { OnBehalfOf } from "@/lib/agents/keys";
import { countEdgeRefusal } from "@/lib/observability/metrics";
import { replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import { enqueueGatewayAudit, type GatewayAuditEvent } from "./audit-queue";
import { singleton } from "@/lib/runtime/singleton";
import type { EdgeRequest } from "./edge-request";

// Requests the gateway's HTTP edge answers with an error before any MCP handling: a Host or Origin it
// does not serve, no or a bad key, a body that is too big or not JSON, the database down, a failure.
// Each is counted in metrics at once. The audit trail gets one event per (status, reason, client
// address, agent) and time window, carrying the count, so a flood of bad requests writes a bounded
// number of rows rather than one per request.

export type EdgeRefusalReason =
  | "host_not_served"
  | "origin_not_allowed"
  | "missing_key"
  | "invalid_key"
  | "malformed_authorization"
  | "credential_in_query"
  | "invalid_token"
  | "unbound_client"
  | "agent_disabled"
  | "foreign_session"
  | "malformed_endpoint"
  | "malformed_tools_mode"
  | "unavailable_endpoint"
  | "unsupported_media_type"
  | "body_too_large"
  | "malformed_body"
  | "database_unavailable"
  | "internal_error";

const descriptions: Record<EdgeRefusalReason, string> = {
  host_not_served: "Host header not served by this gateway",
  origin_not_allowed: "Origin not allowed to call this gateway",
  missing_key: "no agent key",
  invalid_key: "invalid, revoked or expired agent key",
  malformed_authorization: "Authorization header not Bearer <credential>",
  credential_in_query: "credential sent in the URL",
  invalid_token: "access token refused",
  unbound_client: "access token of a client bound to no agent",
  agent_disabled: "access token of a disabled agent",
  foreign_session: "session opened by another agent or user, or at another endpoint",
  malformed_endpoint: "path not a gateway endpoint or not a valid entry or bundle name",
  malformed_tools_mode: "tools query parameter neither search nor all",
  unavailable_endpoint: "entry or bundle unknown or not available to this agent",
  unsupported_media_type: "body not sent as application/json",
  body_too_large: "body over the size limit",
  malformed_body: "body not one JSON-RPC message",
  database_unavailable: "database unavailable",
  internal_error: "internal error",
};

export interface EdgeRefusal {
  status: number;
  reason: EdgeRefusalReason;
  clientAddress: string;
  agent?: { agentId: string; name: string; onBehalfOf?: OnBehalfOf | null } | null;
  /** Request text that shows what was refused (a Host or an Origin header); kept short and cleaned. */
  sample?: string;
}

interface Aggregate {
  refusal: EdgeRefusal;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

const maxTextLength = 200;
/** Header-derived text, cut short and with control and bidi characters replaced, before it is kept. */
const cleanHeaderText = (text: string) => replaceUnsafeCharacters(text.slice(0, maxTextLength));

const keyOf = (refusal: EdgeRefusal) => `${refusal.status} ${refusal.reason} ${refusal.clientAddress} ${refusal.agent?.agentId ?? ""} ${refusal.agent?.onBehalfOf?.subject ?? ""}`;

function eventOf({ refusal, count, firstAt, lastAt }: Aggregate): GatewayAuditEvent {
  const { status, reason, clientAddress, agent, sample } = refusal;
  const details: Record<string, string | number> = { status, reason, clientAddress, count, firstAt: firstAt.toISOString(), lastAt: lastAt.toISOString() };
  if (sample) details.sample = sample;
  return {
    agentId: agent?.agentId ?? null,
    agentName: agent?.name ?? null,
    onBehalfOf: agent?.onBehalfOf ?? null,
    decision: status >= 500 ? "failed" : "refused",
    reason: `HTTP ${status}, ${descriptions[reason]}: ${count} request(s) from ${clientAddress}${sample ? ` (${sample})` : ""}`,
    latencyMs: 0,
    correlationId: randomUUID(),
    // The audit action is gateway.edge.
    method: "edge",
    details,
  };
}

export interface EdgeRefusalLogOptions {
  /** How long refusals with the same key are summed into one audit event. */
  windowMs?: number;
  /** Distinct keys kept per window; beyond them, refusals are summed per status and reason only. */
  maxKeys?: number;
  enqueue?: (event: GatewayAuditEvent) => void;
}

export class EdgeRefusalLog {
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly enqueue: (event: GatewayAuditEvent) => void;
  private aggregates = new Map<string, Aggregate>();
  private timer: NodeJS.Timeout | undefined;

  constructor(options: EdgeRefusalLogOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxKeys = options.maxKeys ?? 1_000;
    this.enqueue = options.enqueue ?? enqueueGatewayAudit;
  }

  record(given: EdgeRefusal): void {
    countEdgeRefusal(given.status, given.reason);
    let refusal = { ...given, clientAddress: cleanHeaderText(given.clientAddress), sample: given.sample && cleanHeaderText(given.sample) };
    let key = keyOf(refusal);
    // A flood from many addresses must not grow memory without bound: past the cap, they are summed together.
    if (!this.aggregates.has(key) && this.aggregates.size >= this.maxKeys) {
      refusal = { status: refusal.status, reason: refusal.reason, clientAddress: "(many addresses)", sample: undefined };
      key = keyOf(refusal);
    }
    const now = new Date();
    const aggregate = this.aggregates.get(key);
    if (aggregate) {
      aggregate.count++;
      aggregate.lastAt = now;
    } else this.aggregates.set(key, { refusal, count: 1, firstAt: now, lastAt: now });
    this.timer ??= setTimeout(() => this.flush(), this.windowMs).unref();
  }

  /** Queues one audit event per key for the window so far; returns how many. */
  flush(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const aggregates = [...this.aggregates.values()];
    this.aggregates = new Map();
    for (const aggregate of aggregates) this.enqueue(eventOf(aggregate));
    return aggregates.length;
  }
}

// One log per process, like the audit queue it feeds. Its exit hook runs before the queue's (it is
// put first), so a window still open when the process ends reaches the queue's spool file.
function edgeRefusalLog(): EdgeRefusalLog {
  return singleton("edgeRefusals", () => {
    const log = new EdgeRefusalLog();
    process.prependListener("exit", () => log.flush());
    return log;
  });
}

export function recordEdgeRefusal(refusal: EdgeRefusal): void {
  edgeRefusalLog().record(refusal);
}

/** Queues the audit events of the current window now (tests, shutdown). */
export function flushEdgeRefusals(): number {
  return edgeRefusalLog().flush();
}

/** The socket's address when the front server took the request, else the first X-Forwarded-For hop. */
export function clientAddressOf(request: EdgeRequest): string {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",", 1)[0]?.trim();
  return request.clientAddress ?? (forwarded ? `${forwarded} (forwarded)` : "unknown");
}

import { z } from "zod";
import type { AgentIdentity, OnBehalfOf } from "@/lib/agents/keys";
import type { GatewayMethod } from "@/lib/audit/actions";
import { callerLabel, userLabel } from "@/lib/identity/on-behalf-of";
import type { QueuedAudit } from "./audit-spool";

// A gateway decision as the call path reports it, and how it becomes an audit event. The journal keeps
// the report itself (a flat object, cheap to serialise on the call path), with its key and time.

export type GatewayDecision = "allowed" | "refused" | "failed";

export interface GatewayAuditEvent {
  /** Null when the caller could not be identified (no or an invalid API key). */
  agentId: string | null;
  agentName: string | null;
  /** The user the agent acted for, with a delegated access token (RFC 8693). */
  onBehalfOf?: OnBehalfOf | null;
  serverId?: string | null;
  serverName?: string | null;
  /** The tool's name on its backend server. */
  tool?: string | null;
  version?: string | null;
  decision: GatewayDecision;
  reason?: string | null;
  latencyMs: number;
  correlationId: string;
  /** `argumentsHash(args)`: the arguments are not stored, only their fingerprint. */
  argumentsHash?: string | null;
  /** The runtime approval request the call waited for or used. */
  approvalId?: string | null;
  /** The MCP method, e.g. "tools/call"; the audit action is `gateway.<method>`. */
  method: GatewayMethod;
  /** The hash of the active policy set the request was decided under (details.policySet). */
  policySet?: string | null;
  /** Further facts for the event's details, e.g. how many refusals an aggregated event stands for. */
  details?: Record<string, string | number>;
  /** The key `beginGatewayForward` gave the call when it was forwarded: this event is its outcome. */
  forwardKey?: string | null;
}

/** What is known of a call as it is forwarded: its event, less what only its outcome tells. */
export type ForwardedCall = Omit<GatewayAuditEvent, "decision" | "reason" | "latencyMs" | "forwardKey">;

/** The reason a forwarded call is recorded with when its process ended before the call did. */
export const interruptedReason = "The gateway stopped while this call was at its backend: the backend may have run it; its result is unknown.";

/** Who called, for an event: the agent, and the user it acted for if any. */
export function callerOf(agent: AgentIdentity): Pick<GatewayAuditEvent, "agentId" | "agentName" | "onBehalfOf"> {
  return { agentId: agent.agentId, agentName: agent.name, onBehalfOf: agent.onBehalfOf ?? null };
}

const outcomes = { allowed: "success", refused: "denied", failed: "failure" } as const;

export function auditOf(event: GatewayAuditEvent, idempotencyKey: string, occurredAt = new Date()): QueuedAudit {
  const details: Record<string, string | number> = { ...event.details, decision: event.decision, latencyMs: event.latencyMs };
  if (event.tool) details.tool = event.tool;
  if (event.version) details.version = event.version;
  if (event.serverName) details.serverName = event.serverName;
  if (event.argumentsHash) details.argumentsHash = event.argumentsHash;
  if (event.approvalId) details.approvalId = event.approvalId;
  if (event.policySet) details.policySet = event.policySet;
  // The actor stays the agent ("agent:<name>", what filters and the dashboard group by); the user it
  // acted for goes into the details, with a readable "user X via agent Y".
  if (event.onBehalfOf) {
    details.onBehalfOf = userLabel(event.onBehalfOf);
    details.userSubject = event.onBehalfOf.subject;
    details.userIssuer = event.onBehalfOf.issuer;
    details.caller = callerLabel(event.agentName ?? "unidentified", event.onBehalfOf);
  }
  return {
    actor: { id: event.agentId, label: event.agentName ? `agent:${event.agentName}` : "agent:unidentified" },
    action: `gateway.${event.method}`,
    // A call refused before it named a known server (e.g. an unknown tool) is about the gateway itself.
    target: event.serverId ? { type: "server", id: event.serverId } : { type: "gateway" },
    outcome: outcomes[event.decision],
    reason: event.reason ?? null,
    correlationId: event.correlationId,
    details,
    occurredAt,
    idempotencyKey,
  };
}

/** The journal line of a call about to be forwarded: its outcome is unknown until its final event. */
export function forwardingLine(call: ForwardedCall, key: string, at: number): string {
  // The report's JSON with key, time and stage appended (keys are pid-hex-counter: nothing to escape).
  return `${JSON.stringify(call).slice(0, -1)},"key":"${key}","at":${at},"stage":"forwarding"}\n`;
}

/** The journal line of a decision. */
export function decisionLine(event: GatewayAuditEvent, key: string, at: number): string {
  return `${JSON.stringify(event).slice(0, -1)},"key":"${key}","at":${at}}\n`;
}

const text = z.string().nullish();
export const journalLine = z.object({
  key: z.string(),
  at: z.number(),
  stage: z.literal("forwarding").optional(),
  agentId: z.string().nullable(),
  agentName: z.string().nullable(),
  onBehalfOf: z.object({ issuer: z.string(), subject: z.string(), name: z.string().nullable() }).nullish(),
  serverId: text,
  serverName: text,
  tool: text,
  version: text,
  decision: z.enum(["allowed", "refused", "failed"]).optional(),
  reason: text,
  latencyMs: z.number().optional(),
  correlationId: z.string(),
  argumentsHash: text,
  approvalId: text,
  policySet: text,
  method: z.string(),
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});

/** The audit event a journal line stands for; a forwarded call whose outcome never came is recorded as interrupted. */
export function auditOfJournalLine(line: z.infer<typeof journalLine>): { audit: QueuedAudit; forwarding: boolean } {
  const { key, at, stage, decision, latencyMs, reason, ...rest } = line;
  const forwarding = stage === "forwarding" || decision === undefined;
  // The method is replayed as the journal has it, even one a later version no longer audits.
  const replayed = { ...rest, method: rest.method as GatewayMethod };
  const event: GatewayAuditEvent = forwarding
    ? { ...replayed, decision: "failed", reason: interruptedReason, latencyMs: 0 }
    : { ...replayed, decision, reason, latencyMs: latencyMs ?? 0 };
  const audit = auditOf(event, key, new Date(at));
  if (forwarding) (audit.details as Record<string, string | number>).decision = "interrupted";
  return { audit, forwarding };
}

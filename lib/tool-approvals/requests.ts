import { recordAudit } from "@/lib/audit/record";
import { db, type Tx } from "@/lib/db/prisma";
import type { Prisma, RiskTier } from "@/lib/generated/prisma/client";
import { getPolicies } from "@/lib/settings/policy";
import { replaceUnsafeInJson } from "@/lib/text/unsafe-text";
import { maskArguments } from "./masking";

// The gateway's side of runtime approvals: a call that needs a person opens a request (or joins the
// one already open for the same call) and then asks how it stands. An approval is bound to the agent,
// the pinned version, the tool and the arguments' hash — and, when the agent acts for a user (a delegated
// access token), to that user: an approval given for Ada's call is not another user's. A call uses it at
// most once.

export interface ApprovalBinding {
  agentId: string;
  serverId: string;
  versionId: string;
  toolName: string;
  argumentsHash: string;
  /** The user the agent acts for (issuer and sub), or null for both when it acts for itself. */
  userIssuer: string | null;
  userSubject: string | null;
}

export interface ApprovalContext {
  agentLabel: string;
  /** The user's display name, for approvers (already one clean line). */
  userName: string | null;
  arguments: Record<string, unknown>;
  riskTier: RiskTier | null;
  riskReason: string;
  correlationId: string;
}

export type ApprovalState =
  | { status: "pending"; expiresAt: Date }
  | { status: "approved" }
  | { status: "denied"; reason: string; decidedBy: string }
  | { status: "expired" | "used" | "missing" };

const bindingWhere = (binding: ApprovalBinding) => ({
  agentId: binding.agentId,
  versionId: binding.versionId,
  toolName: binding.toolName,
  argumentsHash: binding.argumentsHash,
  userIssuer: binding.userIssuer,
  userSubject: binding.userSubject,
});

/** Uses an unused, unexpired approval given for exactly this call; returns its id, or null when there is none. */
export async function claimApproval(binding: ApprovalBinding, approvalId?: string): Promise<string | null> {
  // SKIP LOCKED: two identical calls racing for one approval cannot both take it.
  const claimed = await db().$queryRaw<{ id: string }[]>`
    UPDATE "tool_call_approvals" SET "status" = 'used', "used_at" = CURRENT_TIMESTAMP
    WHERE "id" = (
      SELECT "id" FROM "tool_call_approvals"
      WHERE "agent_id" = ${binding.agentId}::uuid AND "version_id" = ${binding.versionId}::uuid AND "tool_name" = ${binding.toolName}
        AND "arguments_hash" = ${binding.argumentsHash} AND "status" = 'approved'
        AND "user_issuer" IS NOT DISTINCT FROM ${binding.userIssuer} AND "user_subject" IS NOT DISTINCT FROM ${binding.userSubject} AND "valid_until" > CURRENT_TIMESTAMP
        AND (${approvalId ?? null}::uuid IS NULL OR "id" = ${approvalId ?? null}::uuid)
      ORDER BY "decided_at" LIMIT 1 FOR UPDATE SKIP LOCKED
    )
    RETURNING "id"`;
  return claimed[0]?.id ?? null;
}

export type OpenedRequest = { kind: "open"; id: string; expiresAt: Date; created: boolean } | { kind: "over_cap"; cap: number };

// The class half of the two-key advisory lock that serializes one agent's request openings (the other
// half is a hash of the agent's id); other locks in the app use the one-key form.
const openingLockClass = 727310013;

/** The request already open for this call, or a refusal when the agent has `cap` requests waiting; else null. */
async function joinOrRefuse(client: Tx, binding: ApprovalBinding, cap: number): Promise<OpenedRequest | null> {
  const now = new Date();
  const open = await client.toolCallApproval.findFirst({
    where: { ...bindingWhere(binding), status: "pending", expiresAt: { gt: now } },
    orderBy: { createdAt: "desc" },
    select: { id: true, expiresAt: true },
  });
  if (open) return { kind: "open", ...open, created: false };
  const waiting = await client.toolCallApproval.count({ where: { agentId: binding.agentId, status: "pending", expiresAt: { gt: now } } });
  return waiting >= cap ? { kind: "over_cap", cap } : null;
}

/**
 * The open request for this call, or a new one, audited as raised by the agent; none when the agent
 * already has as many requests waiting as `approvals.maxPendingPerAgent` allows.
 */
export async function openApprovalRequest(binding: ApprovalBinding, context: ApprovalContext): Promise<OpenedRequest> {
  const policies = await getPolicies();
  const cap = policies["approvals.maxPendingPerAgent"];
  // Asked first without the lock: a repeat joins its request and a flood past the cap is refused
  // without queueing (each waiter on the lock would hold a database connection).
  const settled = await joinOrRefuse(db(), binding, cap);
  if (settled) return settled;
  return db().$transaction(async (tx) => {
    // One opening per agent at a time, so a burst of calls cannot all count below the cap and all insert.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${openingLockClass}::int, hashtext(${binding.agentId}))`;
    const settledMeanwhile = await joinOrRefuse(tx, binding, cap);
    if (settledMeanwhile) return settledMeanwhile;
    const now = new Date();
    const server = await tx.server.findUniqueOrThrow({ where: { id: binding.serverId }, select: { sensitiveFields: true } });
    const fields = { policy: policies["dataHandling.sensitiveArgumentFields"], server: server.sensitiveFields };
    const request = await tx.toolCallApproval.create({
      data: {
        ...binding,
        // The stored copy is for people to read (the binding is the hash): characters jsonb refuses are replaced.
        arguments: replaceUnsafeInJson(maskArguments(context.arguments, fields)) as Prisma.InputJsonValue,
        riskTier: context.riskTier,
        riskReason: context.riskReason,
        expiresAt: new Date(now.getTime() + policies["approvals.requestTtlMinutes"] * 60_000),
        correlationId: context.correlationId,
        userName: context.userName,
      },
      select: { id: true, expiresAt: true },
    });
    await recordAudit(tx, {
      actor: { id: binding.agentId, label: context.agentLabel },
      action: "toolcall.approval_request",
      target: { type: "tool_call_approval", id: request.id },
      outcome: "success",
      reason: context.riskReason,
      correlationId: context.correlationId,
      details: {
        serverId: binding.serverId,
        versionId: binding.versionId,
        tool: binding.toolName,
        argumentsHash: binding.argumentsHash,
        ...(binding.userSubject !== null ? { onBehalfOf: context.userName ?? binding.userSubject, userSubject: binding.userSubject, userIssuer: binding.userIssuer } : {}),
      },
    });
    return { kind: "open", ...request, created: true };
  });
}

/**
 * A call starts to wait for the request's decision until `until`. A repeat of the call that waits
 * longer moves the time on; one that gives up sooner never moves it back (decision 023).
 */
export async function noteAgentWaiting(id: string, until: Date): Promise<void> {
  await db().$executeRaw`UPDATE "tool_call_approvals" SET "agent_waits_until" = GREATEST("agent_waits_until", ${until}) WHERE "id" = ${id}::uuid AND "status" = 'pending'`;
}

/** The call that waited until `until` went away early (cancelled, disconnected): unless another call waits longer, nobody waits now. */
export async function noteAgentStoppedWaiting(id: string, until: Date): Promise<void> {
  await db().$executeRaw`UPDATE "tool_call_approvals" SET "agent_waits_until" = CURRENT_TIMESTAMP WHERE "id" = ${id}::uuid AND "agent_waits_until" = ${until}`;
}

/** How the request stands now. A pending request past its time counts as expired (the sweeper records it). */
export async function approvalState(id: string): Promise<ApprovalState> {
  const request = await db().toolCallApproval.findUnique({
    where: { id },
    select: { status: true, expiresAt: true, decisionReason: true, decidedBy: { select: { email: true } } },
  });
  if (!request) return { status: "missing" };
  switch (request.status) {
    case "pending":
      return request.expiresAt > new Date() ? { status: "pending", expiresAt: request.expiresAt } : { status: "expired" };
    case "denied":
      return { status: "denied", reason: request.decisionReason ?? "", decidedBy: request.decidedBy?.email ?? "an approver" };
    default:
      return { status: request.status };
  }
}

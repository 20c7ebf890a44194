import { z } from "zod";
import { ownedServersWhere } from "@/lib/auth/access";
import { likeLiteral } from "@/lib/db/like";
import { db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { getPolicy } from "@/lib/settings/policy";
import { parseInput } from "@/lib/validation";
import { maskArguments } from "./masking";
import { queryText } from "@/lib/validation";

// What approvers see of runtime approval requests: those waiting (newest first), and the history.
// The stored arguments were masked when the request opened; they are masked again as they are read,
// with the fields in force now, so a field the policy or the server's owner adds later is hidden too.

const requestSelect = {
  id: true,
  createdAt: true,
  expiresAt: true,
  escalatedAt: true,
  agentWaitsUntil: true,
  status: true,
  toolName: true,
  arguments: true,
  argumentsHash: true,
  riskTier: true,
  riskReason: true,
  decidedAt: true,
  decisionReason: true,
  usedAt: true,
  correlationId: true,
  userSubject: true,
  userName: true,
  decidedBy: { select: { email: true } },
  agent: { select: { name: true, environment: true, createdById: true } },
  server: { select: { id: true, name: true, sensitiveFields: true } },
  serverVersion: { select: { version: true } },
} satisfies Prisma.ToolCallApprovalSelect;

export type ToolCallRequest = Prisma.ToolCallApprovalGetPayload<{ select: typeof requestSelect }>;

/** Undecided and still inside its time: a request past its expiry is gone even before the sweep marks it. */
const waiting = (now: Date) => ({ status: "pending", expiresAt: { gt: now } }) as const;

/** The requests with their arguments masked by the sensitive fields in force now. */
async function masked(requests: Promise<ToolCallRequest[]>): Promise<ToolCallRequest[]> {
  const [rows, policy] = await Promise.all([requests, getPolicy("dataHandling.sensitiveArgumentFields")]);
  return rows.map((row) => ({ ...row, arguments: maskArguments(row.arguments, { policy, server: row.server.sensitiveFields }) as ToolCallRequest["arguments"] }));
}

/** Undecided requests still inside their time, newest first. Unscoped read: the caller checks "approvals.view". */
export function pendingToolCallRequests(now = new Date()): Promise<ToolCallRequest[]> {
  return masked(
    db().toolCallApproval.findMany({
      where: waiting(now),
      orderBy: { createdAt: "desc" },
      take: 200,
      select: requestSelect,
    }),
  );
}

/**
 * Waiting requests split by whether an agent's call waits on them now, or stopped waiting (timed out,
 * cancelled, disconnected): approving the latter lets the agent's next identical call through (decision 023).
 */
export function byAgentWait(requests: ToolCallRequest[], now: Date): { agentWaiting: ToolCallRequest[]; agentStopped: ToolCallRequest[] } {
  const waits = (request: ToolCallRequest) => request.agentWaitsUntil !== null && request.agentWaitsUntil > now;
  return { agentWaiting: requests.filter(waits), agentStopped: requests.filter((request) => !waits(request)) };
}

export const historyFilters = z.object({
  status: z.enum(["approved", "denied", "expired", "used"], { error: "Status is approved, denied, expired or used." }).optional().catch(undefined),
  agent: queryText("The agent filter", 200).optional(),
  server: queryText("The server filter", 200).optional(),
});

/** How many requests are waiting, and how many of those were escalated (dashboard, metrics). */
export async function pendingToolCallCounts(now = new Date()): Promise<{ pending: number; escalated: number }> {
  const [pending, escalated] = await Promise.all([
    db().toolCallApproval.count({ where: waiting(now) }),
    db().toolCallApproval.count({ where: { ...waiting(now), escalatedAt: { not: null } } }),
  ]);
  return { pending, escalated };
}

const contains = (text: string) => ({ contains: likeLiteral(text), mode: "insensitive" as const });

/**
 * Decided, used and expired requests, newest first, filtered by status, agent (or user) name or server name.
 * Unscoped read: the caller checks "approvals.view".
 */
export function toolCallRequestHistory(input: unknown): Promise<ToolCallRequest[]> {
  const filters = parseInput(historyFilters, input);
  return masked(
    db().toolCallApproval.findMany({
      where: {
        status: filters.status ?? { not: "pending" },
        // The agent filter also finds the user an agent acted for, by name or subject.
        ...(filters.agent ? { OR: [{ agent: { name: contains(filters.agent) } }, { userName: contains(filters.agent) }, { userSubject: contains(filters.agent) }] } : {}),
        ...(filters.server ? { server: { name: contains(filters.server) } } : {}),
      },
      orderBy: { createdAt: "desc" },
      take: 100,
      select: requestSelect,
    }),
  );
}

/** Servers the person owns (named or through the team), for showing which requests they may not decide. */
export async function serverIdsOwnedBy(personId: string): Promise<Set<string>> {
  const servers = await db().server.findMany({ where: ownedServersWhere(personId), select: { id: true } });
  return new Set(servers.map((server) => server.id));
}

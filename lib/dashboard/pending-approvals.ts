import { type Action, can } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";

// What waits in the approvals inbox, counted as the inbox lists it: pending promotions and access grants,
// and tool-call requests still inside their time (those an agent waits on now and those whose agent
// stopped waiting: an approval still lets its next identical call through, docs/decisions/023). Counted
// for everyone (the dashboard) or for one person: what they may decide, by role and separation of duties.
// One statement: the counts are columns of it, so the navigation can add its own to the same round trip.

export interface PendingApprovalCounts {
  /** All three kinds together. */
  pending: number;
  toolCalls: number;
  /** Tool-call requests no agent's call waits on any more (they timed out, were cancelled or disconnected). */
  agentStoppedWaiting: number;
  /** Tool-call requests escalated for waiting long. */
  escalated: number;
  promotions: number;
  grants: number;
}

/** The person owns the server in `server` (a column): a named owner or a member of its team; as `ownedServersWhere` in lib/auth/access.ts. */
export function ownsServerSql(personId: string, server: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`(EXISTS (SELECT 1 FROM "server_owners" so WHERE so."server_id" = ${server} AND so."user_id" = ${personId}::uuid)
    OR EXISTS (SELECT 1 FROM "servers" ts JOIN "team_members" tm ON tm."team_id" = ts."team_id" WHERE ts."id" = ${server} AND tm."user_id" = ${personId}::uuid))`;
}

const zero = Prisma.sql`0`;

/**
 * The counts as the columns of a SELECT (`toolCalls`, `agentStoppedWaiting`, `escalated`, `promotions`,
 * `grants`). With a decider: a kind their roles do not let them decide counts 0, and what they may not
 * decide for separation of duties (a call their own agent raised, a promotion or grant they asked for,
 * anything on a server they own) is left out.
 */
export function pendingApprovalColumns(now: Date, decider: Actor | null): Prisma.Sql {
  const mayDecide = (action: Action) => decider === null || can(decider, action);
  const notTheirs = (server: Prisma.Sql, raisedBy: Prisma.Sql) =>
    decider ? Prisma.sql`AND ${raisedBy} IS DISTINCT FROM ${decider.id}::uuid AND NOT ${ownsServerSql(decider.id, server)}` : Prisma.empty;
  const toolCalls = (only: Prisma.Sql) =>
    mayDecide("toolcalls.decide")
      ? Prisma.sql`(SELECT count(*)::int FROM "tool_call_approvals" t JOIN "agents" a ON a."id" = t."agent_id"
          WHERE t."status" = 'pending' AND t."expires_at" > ${now} ${notTheirs(Prisma.sql`t."server_id"`, Prisma.sql`a."created_by_id"`)} ${only})`
      : zero;
  const promotions = mayDecide("promotions.decide")
    ? Prisma.sql`(SELECT count(*)::int FROM "promotions" p JOIN "server_versions" pv ON pv."id" = p."version_id"
        WHERE p."status" = 'pending' ${notTheirs(Prisma.sql`pv."server_id"`, Prisma.sql`p."requested_by_id"`)})`
    : zero;
  const grants = mayDecide("grants.decide")
    ? Prisma.sql`(SELECT count(*)::int FROM "grants" g WHERE g."status" = 'pending' ${notTheirs(Prisma.sql`g."server_id"`, Prisma.sql`g."requested_by_id"`)})`
    : zero;
  return Prisma.sql`${toolCalls(Prisma.empty)} AS "toolCalls",
    ${toolCalls(Prisma.sql`AND (t."agent_waits_until" IS NULL OR t."agent_waits_until" <= ${now})`)} AS "agentStoppedWaiting",
    ${toolCalls(Prisma.sql`AND t."escalated_at" IS NOT NULL`)} AS "escalated",
    ${promotions} AS "promotions", ${grants} AS "grants"`;
}

export type PendingApprovalColumns = Omit<PendingApprovalCounts, "pending">;

/** The counts read from a row of `pendingApprovalColumns`, with their total. */
export function pendingApprovalsOf(row: PendingApprovalColumns): PendingApprovalCounts {
  const { toolCalls, agentStoppedWaiting, escalated, promotions, grants } = row;
  return { pending: toolCalls + promotions + grants, toolCalls, agentStoppedWaiting, escalated, promotions, grants };
}

/** What waits in the approvals inbox at `now`: for everyone, or what `decider` may decide. */
export async function pendingApprovalCounts(now: Date, decider: Actor | null = null): Promise<PendingApprovalCounts> {
  const [row] = await db().$queryRaw<PendingApprovalColumns[]>`SELECT ${pendingApprovalColumns(now, decider)}`;
  return pendingApprovalsOf(row!);
}

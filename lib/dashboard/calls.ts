import type { AuditAction } from "@/lib/audit/actions";
import { db } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { callerLabel } from "@/lib/identity/on-behalf-of";
import { refusalKindSql } from "./refusal-kinds";

// Aggregates over the gateway's audited tool calls (lib/gateway/audit-queue.ts writes them). Every query
// filters on action and an occurred_at range, which the indexes on both columns serve. The decision is
// read from the outcome column (allowed → success, refused → denied, failed → failure): an enum the
// database compares without parsing JSON.

const toolCallAction = "gateway.tools/call" satisfies AuditAction;
// Buckets start at whole multiples of their width since this UTC midnight, so "1 hour" starts on the hour.
const bucketOrigin = Prisma.sql`TIMESTAMPTZ '2000-01-01 00:00:00+00'`;

export interface CallWindow {
  from: Date;
  to: Date;
}

export interface DecisionCounts {
  allowed: number;
  refused: number;
  failed: number;
}

export interface CallsBucket extends DecisionCounts {
  start: Date;
}

export interface CallsSummary extends DecisionCounts {
  calls: number;
  /**
   * The gateway's own milliseconds over allowed and failed calls (a refusal never reaches a backend),
   * without the time a call spent waiting for a person to approve it; null with none.
   */
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  /** Calls that opened an approval request and waited for its decision, whatever the outcome. */
  approvalWaits: number;
  /** Milliseconds those calls waited for a person; null with none. */
  p50ApprovalWaitMs: number | null;
  p95ApprovalWaitMs: number | null;
}

export interface CountedRefusalKind {
  /** A kind of lib/dashboard/refusal-kinds.ts. */
  kind: string;
  calls: number;
}

export interface CountedAgent extends DecisionCounts {
  agent: string;
  calls: number;
}

export interface CountedTool extends DecisionCounts {
  server: string | null;
  tool: string;
  calls: number;
}

function toolCallsIn(window: CallWindow): Prisma.Sql {
  return Prisma.sql`action = ${toolCallAction}
    AND occurred_at >= ${window.from.toISOString()}::timestamptz AND occurred_at < ${window.to.toISOString()}::timestamptz`;
}

const decisionColumns = Prisma.sql`
  count(*) FILTER (WHERE outcome = 'success')::int AS allowed,
  count(*) FILTER (WHERE outcome = 'denied')::int AS refused,
  count(*) FILTER (WHERE outcome = 'failure')::int AS failed`;

/** Calls per bucket, oldest first, with a zero row for every bucket that had none. */
export function callsOverTime(window: CallWindow, bucket: string): Promise<CallsBucket[]> {
  const width = Prisma.sql`${bucket}::interval`;
  // The first bucket starts at or before `from`, so it covers only part of its width.
  return db().$queryRaw<CallsBucket[]>`
    WITH counted AS (
      SELECT date_bin(${width}, occurred_at, ${bucketOrigin}) AS start, ${decisionColumns}
      FROM audit_events WHERE ${toolCallsIn(window)}
      GROUP BY 1
    )
    SELECT b.start, coalesce(c.allowed, 0) AS allowed, coalesce(c.refused, 0) AS refused, coalesce(c.failed, 0) AS failed
    FROM generate_series(
      date_bin(${width}, ${window.from.toISOString()}::timestamptz, ${bucketOrigin}),
      ${window.to.toISOString()}::timestamptz - interval '1 millisecond',
      ${width}
    ) AS b(start)
    LEFT JOIN counted c USING (start)
    ORDER BY b.start`;
}

/**
 * How long a call waited for a person: from the approval request it opened (same correlation id) until
 * the gateway used the approval, or until the decision, or until the call ended, within the call's own
 * latency. A call that used an approval given earlier did not wait and has none.
 */
const approvalWait = Prisma.sql`CASE WHEN a.id IS NULL OR c.latency IS NULL THEN NULL
  ELSE least(c.latency, greatest(0, extract(epoch FROM coalesce(a.used_at, a.decided_at, c.occurred_at) - a.created_at) * 1000)) END`;

export async function callsSummary(window: CallWindow): Promise<CallsSummary> {
  // A latency that is not a JSON number counts as unknown rather than failing the whole query.
  const [row] = await db().$queryRaw<CallsSummary[]>`
    WITH calls AS (
      SELECT outcome, occurred_at, correlation_id, details ->> 'approvalId' AS approval_id,
        CASE WHEN jsonb_typeof(details -> 'latencyMs') = 'number' THEN (details ->> 'latencyMs')::float8 END AS latency
      FROM audit_events WHERE ${toolCallsIn(window)}
    ), timed AS (
      SELECT c.outcome, c.latency, ${approvalWait} AS wait
      FROM calls c LEFT JOIN tool_call_approvals a ON c.approval_id IS NOT NULL AND a.id::text = c.approval_id AND a.correlation_id = c.correlation_id
    )
    SELECT count(*)::int AS calls, ${decisionColumns},
      percentile_cont(0.5) WITHIN GROUP (ORDER BY latency - coalesce(wait, 0)) FILTER (WHERE outcome <> 'denied') AS "p50LatencyMs",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY latency - coalesce(wait, 0)) FILTER (WHERE outcome <> 'denied') AS "p95LatencyMs",
      count(wait)::int AS "approvalWaits",
      percentile_cont(0.5) WITHIN GROUP (ORDER BY wait) AS "p50ApprovalWaitMs",
      percentile_cont(0.95) WITHIN GROUP (ORDER BY wait) AS "p95ApprovalWaitMs"
    FROM timed`;
  return row!;
}

/** Refused calls by kind of reason, most first. */
export function refusalsByKind(window: CallWindow, limit = 8): Promise<CountedRefusalKind[]> {
  return db().$queryRaw<CountedRefusalKind[]>`
    SELECT ${refusalKindSql(Prisma.sql`reason`)} AS kind, count(*)::int AS calls
    FROM audit_events WHERE ${toolCallsIn(window)} AND outcome = 'denied'
    GROUP BY 1 ORDER BY calls DESC, kind LIMIT ${limit}`;
}

/** Callers by calls: each agent, and apart from it each user it acted for ("user Ada via agent billing-bot"). */
export async function topAgents(window: CallWindow, limit = 5): Promise<CountedAgent[]> {
  // A delegated call's details name its user (lib/gateway/audit-event.ts); users are told apart by issuer and subject.
  const rows = await db().$queryRaw<(CountedAgent & { user: string | null })[]>`
    SELECT actor_label AS agent, max(details ->> 'onBehalfOf') AS "user", count(*)::int AS calls, ${decisionColumns}
    FROM audit_events WHERE ${toolCallsIn(window)}
    GROUP BY actor_label, details ->> 'userIssuer', details ->> 'userSubject'
    ORDER BY calls DESC, actor_label, "user" NULLS FIRST LIMIT ${limit}`;
  // The audit label is "agent:<name>"; the dashboard shows the name.
  return rows.map(({ user, ...row }) => {
    const agent = row.agent.replace(/^agent:/, "");
    return { ...row, agent: user === null ? agent : callerLabel(agent, { subject: user, name: user }) };
  });
}

/** Tools by calls; calls refused before they named a tool are left out. */
export function topTools(window: CallWindow, limit = 5): Promise<CountedTool[]> {
  return db().$queryRaw<CountedTool[]>`
    SELECT details ->> 'serverName' AS server, details ->> 'tool' AS tool, count(*)::int AS calls, ${decisionColumns}
    FROM audit_events WHERE ${toolCallsIn(window)} AND details ->> 'tool' IS NOT NULL
    GROUP BY 1, 2 ORDER BY calls DESC, server, tool LIMIT ${limit}`;
}

import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { OnBehalfOf } from "@/lib/agents/keys";
import { db } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { displayText } from "@/lib/identity/on-behalf-of";
import { type Decision, decide } from "./engine";
import { agentEntities, type PolicyAgent, type PolicyTool, toolEntities } from "./entities";
import type { CompiledPolicySet } from "./policy-set";
import { policyAgentOfRow, policyToolOf } from "./tool-facts";

// What a candidate policy set would have decided for the calls the gateway audited, beside what the
// baseline (the active set) decides for them now (docs/decisions/030-policy-replay.md).
//
// Which calls: the `gateway.tools/call` events of tools that passed everything decided before policy
// (kill switches, grants, pins, drift: those events name no version) and that policy decided, seen
// from their outcome:
// - they reached the backend: a success, or a failure the backend caused (its answer was an error,
//   "backend …", an output that broke the certified schema, or the gateway stopped while it ran);
// - they waited for a person's approval (the event names the approval request);
// - policy refused them ("… is forbidden by policy …", "… is not permitted by any policy").
// Left out: refusals before policy (unknown, not granted, killed, not pinned, drift, scopes,
// malformed params) and the calls refused after the decision for reasons of their own (rate limits
// and quota, arguments that break the pinned schema): replaying them says nothing about policy.
//
// The facts of each call are rebuilt: the agent from its row today (scopes are not audited, so none;
// the user it acted for from the event), the tool from the version the event names through the
// builder the gateway uses (./tool-facts.ts), the time from the event. Arguments and the client's
// address are not audited: a candidate that reads them is decided without them (argumentsUnknown).

export type DecisionChange = "allowToDeny" | "denyToAllow" | "allowToApproval" | "approvalToAllow" | "approvalToDeny" | "denyToApproval";

export interface ReplayGroup {
  agentId: string;
  agentName: string;
  serverName: string;
  tool: string;
  from: Decision;
  to: Decision;
  count: number;
  /** Audit event ids, at most 5. */
  examples: string[];
}

export interface ReplayReport {
  /** Every replayable call in the window: unchanged + changed + skipped. */
  calls: number;
  unchanged: number;
  /** The agent or the tool's version is no longer known. */
  skipped: number;
  changes: Record<DecisionChange, number>;
  /** At most 100, largest first. */
  groups: ReplayGroup[];
  /** The candidate reads arguments, which the audit trail does not keep. */
  argumentsUnknown: boolean;
  baseline: { id: string; number: number; hash: string };
  candidate: { id: string; number: number; hash: string };
}

export interface ReplaySet {
  id: string;
  number: number;
  policySet: CompiledPolicySet;
}

export interface ReplayInput {
  candidate: ReplaySet;
  baseline: ReplaySet;
  from: Date;
  to: Date;
  /** Called after each page with the number of calls read so far. */
  onProgress?: (processed: number) => Promise<void>;
  pageSize?: number;
}

export const maxReplayGroups = 100;
export const maxGroupExamples = 5;
const defaultPageSize = 5_000;
const sliceSize = 500;

const replayable = Prisma.sql`
  e.action = 'gateway.tools/call' AND e.target_type = 'server' AND e.details ? 'version' AND (
    e.outcome = 'success'
    OR e.details ? 'approvalId'
    OR (e.outcome = 'denied' AND e.details ? 'policySet' AND (e.reason LIKE '% is forbidden by policy %' OR e.reason LIKE '% is not permitted by any policy'))
    OR (e.outcome = 'failure' AND (e.reason IS NULL OR e.reason LIKE 'backend %' OR e.reason LIKE 'structuredContent does not match %'
        OR e.details->>'decision' = 'interrupted'))
  )`;

/** How many calls a replay of this window reads. */
export async function countReplayableCalls(from: Date, to: Date): Promise<number> {
  const [row] = await db().$queryRaw<{ count: number }[]>`
    SELECT count(*)::int AS count FROM audit_events e WHERE e.occurred_at >= ${from} AND e.occurred_at < ${to} AND ${replayable}`;
  return row?.count ?? 0;
}

interface CallRow {
  id: bigint;
  occurredAt: Date;
  agentId: string | null;
  serverId: string;
  version: string;
  tool: string | null;
  userIssuer: string | null;
  userSubject: string | null;
  userLabel: string | null;
}

function page(from: Date, to: Date, after: bigint, size: number): Promise<CallRow[]> {
  return db().$queryRaw<CallRow[]>`
    SELECT e.id, e.occurred_at AS "occurredAt", e.actor_id AS "agentId", e.target_id AS "serverId", e.details->>'version' AS "version",
           e.details->>'tool' AS "tool", e.details->>'userIssuer' AS "userIssuer", e.details->>'userSubject' AS "userSubject",
           e.details->>'onBehalfOf' AS "userLabel"
    FROM audit_events e
    WHERE e.occurred_at >= ${from} AND e.occurred_at < ${to} AND e.id > ${after} AND ${replayable}
    ORDER BY e.id LIMIT ${size}`;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface AgentRow {
  id: string;
  name: string;
  teamId: string;
  environment: PolicyAgent["environment"];
}

interface ToolFacts {
  policy: PolicyTool;
  entities: cedar.EntityJson[];
}

/** The facts of the calls' agents and tools, loaded a page at a time and kept for the whole replay. */
class FactsCache {
  private readonly agentRows = new Map<string, AgentRow | null>();
  private readonly agents = new Map<string, { agent: PolicyAgent; entities: cedar.EntityJson[] }>();
  /** By `${serverId} ${version}`: the version's tools by name, or null when the version is gone. */
  private readonly versions = new Map<string, Map<string, ToolFacts> | null>();

  async load(rows: CallRow[]): Promise<void> {
    const agentIds = [...new Set(rows.map((row) => row.agentId).filter((id): id is string => id !== null && !this.agentRows.has(id)))];
    for (const id of agentIds) this.agentRows.set(id, null);
    const known = agentIds.filter((id) => uuid.test(id));
    if (known.length > 0) {
      const found = await db().agent.findMany({ where: { id: { in: known } }, select: { id: true, name: true, teamId: true, environment: true } });
      for (const agent of found) this.agentRows.set(agent.id, agent);
    }
    const wanted = new Map<string, { serverId: string; version: string }>();
    for (const row of rows) {
      const key = `${row.serverId} ${row.version}`;
      if (!this.versions.has(key) && !wanted.has(key)) wanted.set(key, { serverId: row.serverId, version: row.version });
    }
    for (const key of wanted.keys()) this.versions.set(key, null);
    const specs = [...wanted.values()].filter((spec) => uuid.test(spec.serverId));
    if (specs.length === 0) return;
    const versions = await db().serverVersion.findMany({
      where: { OR: specs },
      select: {
        id: true,
        version: true,
        status: true,
        riskTier: true,
        approvalTools: true,
        server: { select: { id: true, name: true, classification: true, approvalTools: true } },
        tools: { select: { name: true, annotations: true } },
      },
    });
    for (const version of versions) {
      const tools = new Map<string, ToolFacts>();
      for (const tool of version.tools) {
        const policy = policyToolOf(version.server, version, tool);
        tools.set(tool.name, { policy, entities: toolEntities(policy) });
      }
      this.versions.set(`${version.server.id} ${version.version}`, tools);
    }
  }

  /** One object per agent and user, so the engine's remembered decisions key on it once. */
  agent(row: CallRow): { agent: PolicyAgent; entities: cedar.EntityJson[] } | null {
    const agentRow = row.agentId === null ? null : this.agentRows.get(row.agentId);
    if (!agentRow) return null;
    const user = onBehalfOfIn(row);
    const key = user ? `${agentRow.id}\u0000${user.issuer}\u0000${user.subject}\u0000${user.name ?? ""}` : agentRow.id;
    let facts = this.agents.get(key);
    if (!facts) {
      const agent = policyAgentOfRow(agentRow, user);
      facts = { agent, entities: agentEntities(agent) };
      this.agents.set(key, facts);
    }
    return facts;
  }

  tool(row: CallRow): ToolFacts | null {
    return (row.tool === null ? null : this.versions.get(`${row.serverId} ${row.version}`)?.get(row.tool)) ?? null;
  }
}

/** The user the call was made for, as the event recorded it: the name only when it differs from the subject it stands in for. */
function onBehalfOfIn(row: CallRow): OnBehalfOf | null {
  if (row.userIssuer === null || row.userSubject === null) return null;
  const name = row.userLabel !== null && row.userLabel !== displayText(row.userSubject) ? row.userLabel : null;
  return { issuer: row.userIssuer, subject: row.userSubject, name };
}

const changeOf = (from: Decision, to: Decision) => `${from}To${to[0]!.toUpperCase()}${to.slice(1)}` as DecisionChange;

function noChanges(): Record<DecisionChange, number> {
  return { allowToDeny: 0, denyToAllow: 0, allowToApproval: 0, approvalToAllow: 0, approvalToDeny: 0, denyToApproval: 0 };
}

/** The counts of one replay, call by call. */
class Tally {
  calls = 0;
  unchanged = 0;
  skipped = 0;
  readonly changes = noChanges();
  readonly groups = new Map<string, ReplayGroup>();

  constructor(
    private readonly facts: FactsCache,
    private readonly baseline: CompiledPolicySet,
    private readonly candidate: CompiledPolicySet,
  ) {}

  /** Decides the calls with both sets; synchronous, so a slice runs without giving way. */
  count(rows: CallRow[]): void {
    for (const row of rows) {
      this.calls += 1;
      const agent = this.facts.agent(row);
      const tool = this.facts.tool(row);
      if (!agent || !tool) {
        this.skipped += 1;
        continue;
      }
      const request = { agent: agent.agent, agentEntities: agent.entities, tool: tool.policy, toolEntities: tool.entities, action: "tools/call", call: { at: row.occurredAt } } as const;
      const was = decide(this.baseline, request).decision;
      const would = decide(this.candidate, request).decision;
      if (was === would) {
        this.unchanged += 1;
        continue;
      }
      this.changes[changeOf(was, would)] += 1;
      const key = `${agent.agent.agentId}\u0000${tool.policy.serverId}\u0000${tool.policy.toolName}\u0000${was}\u0000${would}`;
      let group = this.groups.get(key);
      if (!group) {
        group = { agentId: agent.agent.agentId, agentName: agent.agent.name, serverName: tool.policy.serverName, tool: tool.policy.toolName, from: was, to: would, count: 0, examples: [] };
        this.groups.set(key, group);
      }
      group.count += 1;
      if (group.examples.length < maxGroupExamples) group.examples.push(row.id.toString());
    }
  }
}

/** Replays the window's calls against the candidate and the baseline, a page at a time. */
export async function replayCalls(input: ReplayInput): Promise<ReplayReport> {
  const { candidate, baseline, from, to } = input;
  const pageSize = input.pageSize ?? defaultPageSize;
  const facts = new FactsCache();
  const tally = new Tally(facts, baseline.policySet, candidate.policySet);
  let after = BigInt(0);
  for (;;) {
    const rows = await page(from, to, after, pageSize);
    if (rows.length === 0) break;
    await facts.load(rows);
    // A decision Cedar evaluates costs 0.1-0.35 ms: the process's requests get their turn between slices.
    for (let start = 0; start < rows.length; start += sliceSize) {
      if (start > 0) await new Promise((resolve) => setImmediate(resolve));
      tally.count(rows.slice(start, start + sliceSize));
    }
    after = rows.at(-1)!.id;
    await input.onProgress?.(tally.calls);
    if (rows.length < pageSize) break;
  }
  const { calls, unchanged, skipped, changes, groups } = tally;
  const largest = [...groups.values()].sort((a, b) => b.count - a.count).slice(0, maxReplayGroups);
  const summary = (set: ReplaySet) => ({ id: set.id, number: set.number, hash: set.policySet.hash });
  return {
    calls,
    unchanged,
    skipped,
    changes,
    groups: largest,
    argumentsUnknown: candidate.policySet.readsArguments,
    baseline: summary(baseline),
    candidate: summary(candidate),
  };
}

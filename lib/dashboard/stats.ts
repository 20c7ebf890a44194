import { db } from "@/lib/db/prisma";
import {
  type CallsBucket,
  type CallsSummary,
  type CallWindow,
  callsOverTime,
  callsSummary,
  type CountedAgent,
  type CountedRefusalKind,
  type CountedTool,
  refusalsByKind,
  topAgents,
  topTools,
} from "./calls";
import { type PendingApprovalCounts, pendingApprovalCounts } from "./pending-approvals";
import { type DashboardRange, rangeSpecs, rangeWindow } from "./range";
import { refusalKindLabel } from "./refusal-kinds";

export interface DashboardStats {
  range: DashboardRange;
  from: Date;
  to: Date;
  summary: CallsSummary;
  /** Allowed calls over all calls; null when there were none. */
  successRate: number | null;
  overTime: CallsBucket[];
  /** Refused calls by kind of reason, each with its label for people. */
  refusals: (CountedRefusalKind & { label: string })[];
  agents: CountedAgent[];
  tools: CountedTool[];
  /** Everything the approvals inbox shows as waiting: tool calls, promotions and access grants. */
  approvals: PendingApprovalCounts;
  drift: { open: number; detectedInRange: number };
}

export type { PendingApprovalCounts };

async function driftIncidentCounts(window: CallWindow): Promise<DashboardStats["drift"]> {
  const [open, detectedInRange] = await Promise.all([
    db().driftIncident.count({ where: { resolvedAt: null } }),
    db().driftIncident.count({ where: { detectedAt: { gte: window.from, lt: window.to } } }),
  ]);
  return { open, detectedInRange };
}

/** Everything the dashboard shows for the range ending `now`. */
export async function dashboardStats(range: DashboardRange, now = new Date()): Promise<DashboardStats> {
  const window = rangeWindow(range, now);
  const [summary, overTime, refusals, agents, tools, approvals, drift] = await Promise.all([
    callsSummary(window),
    callsOverTime(window, rangeSpecs[range].bucket),
    refusalsByKind(window),
    topAgents(window),
    topTools(window),
    pendingApprovalCounts(now),
    driftIncidentCounts(window),
  ]);
  const successRate = summary.calls === 0 ? null : summary.allowed / summary.calls;
  const labelled = refusals.map((refusal) => ({ ...refusal, label: refusalKindLabel(refusal.kind) }));
  return { range, ...window, summary, successRate, overTime, refusals: labelled, agents, tools, approvals, drift };
}

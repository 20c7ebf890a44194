import { db } from "@/lib/db/prisma";
import { pendingToolCallCounts } from "@/lib/tool-approvals/inbox";
import {
  type CallsBucket,
  type CallsSummary,
  type CallWindow,
  callsOverTime,
  callsSummary,
  type CountedAgent,
  type CountedReason,
  type CountedTool,
  refusalsByReason,
  topAgents,
  topTools,
} from "./calls";
import { type DashboardRange, rangeSpecs, rangeWindow } from "./range";

export interface DashboardStats {
  range: DashboardRange;
  from: Date;
  to: Date;
  summary: CallsSummary;
  /** Allowed calls over all calls; null when there were none. */
  successRate: number | null;
  overTime: CallsBucket[];
  refusals: CountedReason[];
  agents: CountedAgent[];
  tools: CountedTool[];
  approvals: { pending: number; escalated: number };
  drift: { open: number; detectedInRange: number };
}

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
    refusalsByReason(window),
    topAgents(window),
    topTools(window),
    pendingToolCallCounts(now),
    driftIncidentCounts(window),
  ]);
  const successRate = summary.calls === 0 ? null : summary.allowed / summary.calls;
  return { range, ...window, summary, successRate, overTime, refusals, agents, tools, approvals, drift };
}

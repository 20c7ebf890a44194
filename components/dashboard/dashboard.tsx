import { EmptyState } from "@/components/ui/empty-state";
import { TabLinks } from "@/components/ui/tab-links";
import { dashboardRanges, rangeSpecs } from "@/lib/dashboard/range";
import { headLabel, toolLabel } from "@/lib/dashboard/labels";
import type { DashboardStats } from "@/lib/dashboard/stats";
import { CallsOverTimeChart } from "./calls-over-time-chart";
import { ChartFrame } from "./chart-frame";
import { formatCount, formatLatency, formatPercent } from "./format";
import { RankedBarsChart } from "./ranked-bars-chart";
import { StatTile } from "./stat-tile";

interface DashboardProps {
  stats: DashboardStats;
  /** Why the range shown is not the one asked for. */
  note?: string;
  /** Whether the viewer may open the approvals inbox and the drift list the tiles link to. */
  links: { approvals: boolean; drift: boolean };
}

const rangeTabs = dashboardRanges.map((range) => ({ id: range, label: rangeSpecs[range].label, href: `/?range=${range}` }));

const plural = (count: number, one: string, many = `${one}s`) => `${formatCount(count)} ${count === 1 ? one : many}`;

const nothing = (text: string) => <p className="flex h-full items-center justify-center text-sm text-slate-500">{text}</p>;

function Tiles({ stats, links }: Omit<DashboardProps, "note">) {
  const { summary, approvals, drift } = stats;
  const inRange = rangeSpecs[stats.range].label.toLowerCase();
  return (
    <section aria-label="Summary" className="grid grid-cols-2 gap-4 md:grid-cols-4 xl:grid-cols-7">
      <StatTile testId="stat-calls" label="Tool calls" value={formatCount(summary.calls)} detail={`${formatCount(summary.refused)} refused, ${formatCount(summary.failed)} failed`} />
      <StatTile testId="stat-success-rate" label="Success rate" value={formatPercent(stats.successRate)} detail="Allowed of all calls" />
      <StatTile testId="stat-p50" label="Gateway latency p50" value={formatLatency(summary.p50LatencyMs)} detail="Allowed and failed calls, without waits for approval" />
      <StatTile testId="stat-p95" label="Gateway latency p95" value={formatLatency(summary.p95LatencyMs)} detail="Allowed and failed calls, without waits for approval" />
      <StatTile
        testId="stat-approval-wait"
        label="Approval wait p95"
        value={formatLatency(summary.p95ApprovalWaitMs)}
        detail={`${plural(summary.approvalWaits, "call")} waited for a person; median ${formatLatency(summary.p50ApprovalWaitMs)}`}
      />
      <StatTile
        testId="stat-pending-approvals"
        label="Pending approvals"
        value={formatCount(approvals.pending)}
        detail={`${plural(approvals.toolCalls, "tool call")} (${formatCount(approvals.escalated)} escalated, ${formatCount(approvals.agentStoppedWaiting)} no longer awaited), ${plural(approvals.promotions, "promotion")}, ${plural(approvals.grants, "access grant")}`}
        href={links.approvals ? "/approvals" : undefined}
      />
      <StatTile
        testId="stat-open-drift"
        label="Open drift incidents"
        value={formatCount(drift.open)}
        detail={`${formatCount(drift.detectedInRange)} detected in the ${inRange}`}
        href={links.drift ? "/drift" : undefined}
      />
    </section>
  );
}

function Charts({ stats }: { stats: DashboardStats }) {
  const points = stats.overTime.map(({ start, ...counts }) => ({ start: start.getTime(), ...counts }));
  const refusals = stats.refusals.map(({ label, calls }) => ({ name: label, full: label, refused: calls }));
  const agents = stats.agents.map(({ agent, ...counts }) => {
    const { label, full } = headLabel(agent);
    return { ...counts, name: label, full };
  });
  const tools = stats.tools.map(({ server, tool, ...counts }) => {
    const { label, full } = toolLabel(server, tool);
    return { ...counts, name: label, full };
  });
  const all = ["allowed", "refused", "failed"] as const;
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <ChartFrame wide title={`Calls over time (${rangeSpecs[stats.range].bucketLabel} buckets, UTC)`} testId="chart-calls-over-time">
        <CallsOverTimeChart points={points} withDate={stats.range === "week"} />
      </ChartFrame>
      <ChartFrame title="Refusals by kind" testId="chart-refusals">
        {refusals.length ? <RankedBarsChart rows={refusals} decisions={["refused"]} /> : nothing("No call was refused.")}
      </ChartFrame>
      <ChartFrame title="Top callers" testId="chart-top-agents">
        <RankedBarsChart rows={agents} decisions={[...all]} />
      </ChartFrame>
      <ChartFrame title="Top tools" testId="chart-top-tools">
        {tools.length ? <RankedBarsChart rows={tools} decisions={[...all]} /> : nothing("No call named a tool.")}
      </ChartFrame>
    </div>
  );
}

/** Gateway traffic and the work waiting for people, over the chosen range. */
export function Dashboard({ stats, note, links }: DashboardProps) {
  const inRange = rangeSpecs[stats.range].label.toLowerCase();
  return (
    <div data-testid="dashboard" data-range={stats.range} className="space-y-6">
      <TabLinks label="Time range" tabs={rangeTabs} current={stats.range} />
      {note && (
        <p role="status" data-testid="range-note" className="rounded border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900">
          {note}
        </p>
      )}
      <Tiles stats={stats} links={links} />
      {stats.summary.calls === 0 ? (
        <div data-testid="dashboard-empty">
          <EmptyState>No gateway tool calls in the {inRange}. Charts appear here once agents call tools through the gateway.</EmptyState>
        </div>
      ) : (
        <Charts stats={stats} />
      )}
    </div>
  );
}

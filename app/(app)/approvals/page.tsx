import type { Metadata } from "next";
import Link from "next/link";
import { GrantRequest } from "@/components/approvals/agent-grant-request";
import { ApprovalDecisionForm } from "@/components/approvals/approval-decision-form";
import { ToolCallHistoryFilters } from "@/components/approvals/tool-call-history-filters";
import { PendingToolCalls, ToolCallHistory } from "@/components/approvals/tool-call-inbox";
import { Badge, RiskBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { LiveRefresh } from "@/components/ui/live-refresh";
import { Cell, Table } from "@/components/ui/table";
import { UnusableFilters } from "@/components/ui/unusable-filters";
import { pendingGrants } from "@/lib/agents/grants";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { type DecidedPromotion, decidedPromotions, type PendingApproval, pendingApprovals, type Person } from "@/lib/certification/approvals-history";
import { getPolicy } from "@/lib/settings/policy";
import { byAgentWait, historyFilters, pendingToolCallRequests, serverIdsOwnedBy, toolCallRequestHistory } from "@/lib/tool-approvals/inbox";
import { decideGrantAction, decidePromotionAction, decideToolCallAction } from "./actions";

export const metadata: Metadata = { title: "Approvals" };

const historySize = 50;

const when = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
const who = (person: Person | null) => (person ? `${person.name} <${person.email}>` : "unknown");
const reviewHref = (serverId: string, version: string) => `/catalog/${serverId}?tab=review&v=${encodeURIComponent(version)}`;

function PendingRequest({ request, mayDecide }: { request: PendingApproval; mayDecide: boolean }) {
  const { server, version, riskTier } = request.version;
  return (
    <article aria-label={`Promotion of ${server.name} ${version} to ${request.environment}`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h3 className="flex flex-wrap items-baseline gap-2 text-base font-semibold">
        <Link href={reviewHref(server.id, version)} className="text-indigo-700 hover:underline">
          {server.name}
        </Link>
        <span className="font-mono">{version}</span>
        <span className="font-normal text-slate-600">to</span>
        <Badge tone="warn">{request.environment}</Badge>
      </h3>
      <DescriptionList
        items={[
          ["Server", server.title],
          ["Risk tier", <RiskBadge key="tier" tier={riskTier} />],
          ["Requested by", who(request.requestedBy)],
          ["Requested", when(request.requestedAt)],
          ["Rollout plan", request.rolloutPlan],
          ["Rollback plan", request.rollbackPlan],
          ["Kill-switch plan", request.killSwitchPlan],
          ["Dual-run window", `${request.sunsetDays} ${request.sunsetDays === 1 ? "day" : "days"}`],
        ]}
      />
      {mayDecide && <ApprovalDecisionForm action={decidePromotionAction} fields={{ promotionId: request.id }} />}
    </article>
  );
}

function History({ decided }: { decided: DecidedPromotion[] }) {
  if (decided.length === 0) return <EmptyState>No promotion has been decided yet.</EmptyState>;
  return (
    <Table label="Decided promotions" headings={["Server", "Version", "Environment", "Decision", "Reason", "Decided by", "Decided", "Requested by"]}>
      {decided.map((promotion) => (
        <tr key={promotion.id} className="border-b border-slate-100 align-top">
          <Cell>
            <Link href={reviewHref(promotion.version.server.id, promotion.version.version)} className="text-indigo-700 hover:underline">
              {promotion.version.server.name}
            </Link>
          </Cell>
          <Cell className="font-mono">{promotion.version.version}</Cell>
          <Cell>{promotion.environment}</Cell>
          <Cell>
            <Badge tone={promotion.decision === "approved" ? "good" : "bad"}>{promotion.decision}</Badge>
          </Cell>
          <Cell className="whitespace-pre-line">{promotion.decisionReason}</Cell>
          <Cell>{who(promotion.decidedBy)}</Cell>
          <Cell className="whitespace-nowrap">{when(promotion.decidedAt)}</Cell>
          <Cell>{who(promotion.requestedBy)}</Cell>
        </tr>
      ))}
    </Table>
  );
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const single = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function ApprovalsPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePagePermission("approvals.view");
  const mayDecide = can(user, "promotions.decide");
  const mayDecideGrants = can(user, "grants.decide");
  const mayDecideCalls = can(user, "toolcalls.decide");
  const query = await searchParams;
  const given = { status: single(query.status), agent: single(query.agent), server: single(query.server) };
  const filters = historyFilters.safeParse(given);
  const now = new Date();
  const [toolCalls, owned, callHistory, pending, grants, decided, validMinutes] = await Promise.all([
    pendingToolCallRequests(now),
    serverIdsOwnedBy(user.id),
    filters.success ? toolCallRequestHistory(filters.data) : [],
    pendingApprovals(),
    pendingGrants(),
    decidedPromotions(historySize),
    getPolicy("approvals.validMinutes"),
  ]);
  const { agentWaiting, agentStopped } = byAgentWait(toolCalls, now);
  const callProps = { viewerId: user.id, ownedServerIds: owned, decide: mayDecideCalls ? decideToolCallAction : undefined, wait: { validMinutes, renderedAt: now.toISOString() } };
  return (
    <>
      <LiveRefresh />
      <PageHeader title="Approvals">Tool calls, promotions and access grants waiting for an approver&apos;s decision. This page updates itself.</PageHeader>
      {!mayDecide && (
        <p className="mb-4 rounded border border-slate-200 bg-slate-50 p-3 text-sm text-slate-700">
          You can see this inbox, but only approvers decide tool calls, promotions and access grants.
        </p>
      )}
      <section aria-labelledby="tool-calls-heading" className="space-y-4">
        <h2 id="tool-calls-heading" className="text-lg font-semibold">
          Tool calls waiting ({agentWaiting.length})
        </h2>
        <p className="text-sm text-slate-600">
          High-risk calls whose agent is waiting for the decision now, newest first; the call goes ahead only once approved, and gives up after the policy&apos;s wait.
        </p>
        <PendingToolCalls requests={agentWaiting} {...callProps} />
      </section>
      {agentStopped.length > 0 && (
        <section aria-labelledby="stopped-heading" className="mt-10 space-y-4">
          <h2 id="stopped-heading" className="text-lg font-semibold">
            Agent stopped waiting ({agentStopped.length})
          </h2>
          <p className="text-sm text-slate-600">
            The agent&apos;s call gave up (it timed out, was cancelled or disconnected). The request stays open until it expires: approved, the agent&apos;s next identical
            call goes through once.
          </p>
          <PendingToolCalls requests={agentStopped} {...callProps} />
        </section>
      )}
      <section aria-labelledby="pending-heading" className="mt-10 space-y-4">
        <h2 id="pending-heading" className="text-lg font-semibold">
          Promotions waiting ({pending.length})
        </h2>
        {pending.length === 0 ? (
          <EmptyState>Nothing is waiting for approval.</EmptyState>
        ) : (
          pending.map((request) => <PendingRequest key={request.id} request={request} mayDecide={mayDecide} />)
        )}
      </section>
      <section aria-labelledby="grants-heading" className="mt-10 space-y-4">
        <h2 id="grants-heading" className="text-lg font-semibold">
          Pending access grants ({grants.length})
        </h2>
        <p className="text-sm text-slate-600">Agents asking for a high- or critical-risk server; they get no access until approved.</p>
        {grants.length === 0 ? (
          <EmptyState>No access grant is waiting.</EmptyState>
        ) : (
          grants.map((grant) => <GrantRequest key={grant.id} grant={grant} decide={mayDecideGrants ? decideGrantAction : undefined} />)
        )}
      </section>
      <section aria-labelledby="decided-heading" className="mt-10 space-y-4">
        <h2 id="decided-heading" className="text-lg font-semibold">
          Decided promotions (last {historySize})
        </h2>
        <History decided={decided} />
      </section>
      <section aria-labelledby="tool-call-history-heading" className="mt-10 space-y-4">
        <h2 id="tool-call-history-heading" className="text-lg font-semibold">
          Tool-call history
        </h2>
        <ToolCallHistoryFilters values={given} />
        {!filters.success && <UnusableFilters error={filters.error} />}
        <ToolCallHistory requests={callHistory} />
      </section>
    </>
  );
}

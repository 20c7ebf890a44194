import { AgentWait } from "@/components/approvals/agent-wait";
import { ApprovalDecisionForm } from "@/components/approvals/approval-decision-form";
import { Badge, RiskBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Cell, Table } from "@/components/ui/table";
import { TimeLeft } from "@/components/ui/time-left";
import type { ActionState } from "@/lib/action-state";
import { callerLabel } from "@/lib/identity/on-behalf-of";
import type { ToolCallRequest } from "@/lib/tool-approvals/inbox";

type Decide = (state: ActionState, form: FormData) => Promise<ActionState>;

const when = (date: Date) => `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;

/** Why this viewer may not decide the request (separation of duties), or null when they may. */
function sodNote(request: ToolCallRequest, viewerId: string, ownedServerIds: Set<string>): string | null {
  if (request.agent.createdById === viewerId) return "You created the agent that raised this request, so another approver decides it.";
  if (ownedServerIds.has(request.server.id)) return "You own this server, so another approver decides it.";
  return null;
}

function Arguments({ value }: { value: unknown }) {
  return <pre className="max-h-48 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs">{JSON.stringify(value, null, 2)}</pre>;
}

/** What the agent's side looks like at render: see AgentWait. */
interface WaitContext {
  /** `approvals.validMinutes`. */
  validMinutes: number;
  /** When the page was rendered (ISO). */
  renderedAt: string;
}

/** Who raised the request: the agent's name, or "user Ada via agent billing-bot" when it acted for a user. */
const requester = (request: ToolCallRequest) => (request.userSubject === null ? request.agent.name : callerLabel(request.agent.name, { subject: request.userSubject, name: request.userName }));

function PendingToolCall({ request, decide, note, wait }: { request: ToolCallRequest; decide?: Decide; note: string | null; wait: WaitContext }) {
  return (
    <article data-testid="tool-call-request" aria-label={`Tool call ${request.toolName} of ${request.server.name}`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h3 className="flex flex-wrap items-baseline gap-2 text-base font-semibold">
        <span className="font-mono">{request.toolName}</span>
        <span className="font-normal text-slate-600">of</span>
        {request.server.name} <span className="font-mono font-normal">{request.serverVersion.version}</span>
        <RiskBadge tier={request.riskTier} />
        {request.escalatedAt && <Badge tone="bad">escalated</Badge>}
      </h3>
      <DescriptionList
        items={[
          [request.userSubject === null ? "Agent" : "Caller", `${requester(request)} (${request.agent.environment})`],
          ["Why approval", request.riskReason],
          ["Arguments", <Arguments key="args" value={request.arguments} />],
          ["Requested", when(request.createdAt)],
          ["Agent's wait", <AgentWait key="wait" waitsUntil={request.agentWaitsUntil?.toISOString() ?? null} {...wait} />],
          [
            "Request expires",
            <span key="left" data-testid="request-expiry">
              <TimeLeft until={request.expiresAt.toISOString()} />
            </span>,
          ],
          ["Request id", <span key="id" className="font-mono text-xs">{request.id}</span>],
        ]}
      />
      {note ? <p className="text-sm text-slate-600">{note}</p> : decide && <ApprovalDecisionForm action={decide} fields={{ requestId: request.id }} />}
    </article>
  );
}

interface PendingProps {
  requests: ToolCallRequest[];
  viewerId: string;
  ownedServerIds: Set<string>;
  /** Absent when the viewer may look but not decide. */
  decide?: Decide;
  wait: WaitContext;
  /** What the list says when it is empty. */
  empty?: string;
}

/** Tool calls waiting for a person, newest first. */
export function PendingToolCalls({ requests, viewerId, ownedServerIds, decide, wait, empty = "No tool call is waiting for approval." }: PendingProps) {
  if (requests.length === 0) return <EmptyState>{empty}</EmptyState>;
  return requests.map((request) => (
    <PendingToolCall key={request.id} request={request} decide={decide} note={decide ? sodNote(request, viewerId, ownedServerIds) : null} wait={wait} />
  ));
}

const statusTones = { approved: "good", used: "good", denied: "bad", expired: "neutral", pending: "info" } as const;

/** Decided, used and expired tool-call requests. */
export function ToolCallHistory({ requests }: { requests: ToolCallRequest[] }) {
  if (requests.length === 0) return <EmptyState>No tool-call request matches.</EmptyState>;
  return (
    <Table label="Tool-call decisions" headings={["Requested", "Tool", "Agent", "Status", "Reason", "Decided by", "Decided"]}>
      {requests.map((request) => (
        <tr key={request.id} data-testid="tool-call-history-row" className="border-b border-slate-100 align-top">
          <Cell className="whitespace-nowrap">{when(request.createdAt)}</Cell>
          <Cell>
            <span className="font-mono">{request.toolName}</span> <span className="text-slate-600">of {request.server.name}</span>
          </Cell>
          <Cell>{requester(request)}</Cell>
          <Cell>
            <Badge tone={statusTones[request.status]}>{request.status}</Badge>
          </Cell>
          <Cell className="whitespace-pre-line">{request.decisionReason}</Cell>
          <Cell>{request.decidedBy?.email}</Cell>
          <Cell className="whitespace-nowrap">{request.decidedAt ? when(request.decidedAt) : ""}</Cell>
        </tr>
      ))}
    </Table>
  );
}

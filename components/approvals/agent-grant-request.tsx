import Link from "next/link";
import { Badge, RiskBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import type { ActionState } from "@/lib/action-state";
import type { PendingGrant } from "@/lib/agents/grants";
import { ApprovalDecisionForm } from "./approval-decision-form";

type Decide = (state: ActionState, form: FormData) => Promise<ActionState>;

const when = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** One access grant waiting for an approver: which agent, which server and tools, until when, who asked. */
export function GrantRequest({ grant, decide }: { grant: PendingGrant; decide?: Decide }) {
  const { agent, server } = grant;
  return (
    <article aria-label={`Access for ${agent.name} to ${server.name}`} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h3 className="flex flex-wrap items-baseline gap-2 text-base font-semibold">
        <span className="font-mono">{agent.name}</span>
        <span className="font-normal text-slate-600">to</span>
        <Link href={`/catalog/${server.id}`} className="text-indigo-700 hover:underline">
          {server.name}
        </Link>
        <Badge tone="warn">{agent.environment}</Badge>
      </h3>
      <DescriptionList
        items={[
          ["Agent's team", grant.teamName],
          ["Server", server.title],
          ["Risk tier", <RiskBadge key="tier" tier={server.riskTier} />],
          ["Tools", grant.tools.length ? grant.tools.join(", ") : "All tools"],
          ["Until", grant.expiresAt ? when(grant.expiresAt) : "No end (until revoked)"],
          ["Requested by", grant.requestedBy ? `${grant.requestedBy.name} <${grant.requestedBy.email}>` : "unknown"],
          ["Requested", when(grant.requestedAt)],
        ]}
      />
      {decide && <ApprovalDecisionForm action={decide} fields={{ grantId: grant.id }} />}
    </article>
  );
}

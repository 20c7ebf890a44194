import type { Metadata } from "next";
import Link from "next/link";
import { CheckBadges } from "@/components/certification/check-list";
import { ActionButton } from "@/components/ui/action-button";
import { StatusBadge } from "@/components/ui/badges";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { Cell, Table } from "@/components/ui/table";
import { may } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { reviewQueue } from "@/lib/certification/queue";
import { claimAction } from "./actions";

export const metadata: Metadata = { title: "Reviews" };

type QueueItem = Awaited<ReturnType<typeof reviewQueue>>[number];

/** Who reviews the version, or Claim for a reviewer who may take it, or why a reviewer may not. */
function Reviewer({ item, mayClaim, reviewer }: { item: QueueItem; mayClaim: boolean; reviewer: boolean }) {
  if (item.reviewer) return item.reviewer;
  if (item.status !== "submitted") return "—";
  if (mayClaim) return <ActionButton action={claimAction} fields={{ versionId: item.id }} label="Claim" />;
  return reviewer ? <span className="text-slate-500">You own this server: another reviewer claims it</span> : "—";
}

export default async function ReviewsPage() {
  const user = await requirePagePermission("reviews.view");
  const queue = await reviewQueue();
  // Claim is offered by the rule the entry page offers it by: the role, and not owning the server.
  const reviewer = can(user, "reviews.decide");
  const mayReview = await Promise.all(queue.map((item) => may(user, "server.review", item.server)));
  return (
    <>
      <PageHeader title="Reviews">Versions waiting for a governance review, oldest first.</PageHeader>
      {queue.length === 0 ? (
        <EmptyState>The review queue is empty.</EmptyState>
      ) : (
        <Table label="Review queue" headings={["Server", "Version", "Status", "Submitted", "Checks", "Reviewer"]}>
          {queue.map((item, index) => (
            <tr key={item.id} className="border-b border-slate-200 align-top" data-testid={`review-${item.server.name}`}>
              <Cell>
                <Link href={`/catalog/${item.server.id}?tab=review&v=${item.version}`} className="font-medium text-indigo-700 hover:underline">
                  {item.server.name}
                </Link>
                <span className="block text-slate-500">{item.server.team.name}</span>
              </Cell>
              <Cell>{item.version}</Cell>
              <Cell>
                <StatusBadge status={item.status} />
              </Cell>
              <Cell>{item.submittedAt?.toISOString().slice(0, 16).replace("T", " ")}</Cell>
              <Cell>
                <CheckBadges checks={item.checks.checks} />
              </Cell>
              <Cell>
                <Reviewer item={item} mayClaim={mayReview[index]!} reviewer={reviewer} />
              </Cell>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}

import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/empty-state";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Reviews" };

export default async function ReviewsPage() {
  await requirePagePermission("reviews.view");
  return (
    <>
      <PageHeader title="Reviews">Versions waiting for a governance review, oldest first.</PageHeader>
      <EmptyState>The review queue is empty.</EmptyState>
    </>
  );
}

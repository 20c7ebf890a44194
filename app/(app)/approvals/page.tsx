import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/empty-state";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Approvals" };

export default async function ApprovalsPage() {
  await requirePagePermission("approvals.view");
  return (
    <>
      <PageHeader title="Approvals">Tool calls, promotions and access grants waiting for a decision.</PageHeader>
      <EmptyState>Nothing is waiting for approval.</EmptyState>
    </>
  );
}

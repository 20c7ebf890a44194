import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/empty-state";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  await requirePagePermission("agents.view");
  return (
    <>
      <PageHeader title="Agents">AI applications that call tools through the gateway, and their credentials.</PageHeader>
      <EmptyState>No agents yet.</EmptyState>
    </>
  );
}

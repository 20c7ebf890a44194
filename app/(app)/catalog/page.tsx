import type { Metadata } from "next";
import { EmptyState, PageHeader } from "@/components/empty-state";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Catalog" };

export default async function CatalogPage() {
  await requirePagePermission("catalog.view");
  return (
    <>
      <PageHeader title="Catalog">MCP servers registered with Toolgate.</PageHeader>
      <EmptyState>No servers are registered yet.</EmptyState>
    </>
  );
}

import type { Metadata } from "next";
import { DriftTable } from "@/components/catalog/drift-table";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/auth/session";
import { openDriftIncidents } from "@/lib/gateway/drift";

export const metadata: Metadata = { title: "Drift" };
export const dynamic = "force-dynamic";

export default async function DriftPage() {
  await requirePagePermission("catalog.view");
  const incidents = await openDriftIncidents();
  return (
    <>
      <PageHeader title="Drift">
        Tools whose live definition no longer matches the certified one. The gateway blocks them until the server declares the certified definition again, or a new version is certified.
      </PageHeader>
      {incidents.length === 0 ? <EmptyState>No drift: every pinned tool matches its certified definition.</EmptyState> : <DriftTable incidents={incidents} />}
    </>
  );
}

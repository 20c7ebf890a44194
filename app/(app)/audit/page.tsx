import type { Metadata } from "next";
import { AuditTable } from "@/components/audit-table";
import { PageHeader } from "@/components/empty-state";
import { recentAuditEvents } from "@/lib/audit/query";
import { requirePagePermission } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Audit" };

export default async function AuditPage() {
  await requirePagePermission("audit.view");
  const events = await recentAuditEvents(200);
  return (
    <>
      <PageHeader title="Audit">Who did what, when and why: the most recent 200 events.</PageHeader>
      <AuditTable events={events} />
    </>
  );
}

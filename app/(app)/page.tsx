import { EmptyState, PageHeader } from "@/components/empty-state";
import { requireUser } from "@/lib/auth/session";

export default async function HomePage() {
  const user = await requireUser();
  return (
    <>
      <PageHeader title="Dashboard">Welcome, {user.name}.</PageHeader>
      <EmptyState>Tool-call volume, approvals and drift incidents will appear here once agents call tools.</EmptyState>
    </>
  );
}

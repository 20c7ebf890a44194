import { Dashboard } from "@/components/dashboard/dashboard";
import { GettingStarted } from "@/components/dashboard/getting-started";
import { ShadowNotice } from "@/components/policies/shadow-notice";
import { PageHeader } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/authorize";
import { requireUser } from "@/lib/auth/session";
import { parseRange } from "@/lib/dashboard/range";
import { gettingStarted } from "@/lib/dashboard/getting-started";
import { dashboardStats } from "@/lib/dashboard/stats";
import { shadowDisagreements } from "@/lib/policy/policy-sets";

export const dynamic = "force-dynamic";

/** How far back the dashboard counts a shadow set's disagreements with the active set. */
const shadowHours = 24;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function HomePage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requireUser();
  const { range, note } = parseRange((await searchParams).range);
  const [stats, steps, shadow] = await Promise.all([dashboardStats(range), gettingStarted(), can(user, "policies.view") ? shadowDisagreements(user, shadowHours) : null]);
  return (
    <>
      <PageHeader title="Dashboard">Welcome, {user.name}. Gateway tool calls and the work waiting for people.</PageHeader>
      {shadow?.policySet && <ShadowNotice policySet={shadow.policySet} disagreements={shadow.disagreements} hours={shadowHours} />}
      {steps.some((step) => !step.done) && <GettingStarted steps={steps} />}
      <Dashboard stats={stats} note={note} links={{ approvals: can(user, "approvals.view"), drift: can(user, "catalog.view") }} />
    </>
  );
}

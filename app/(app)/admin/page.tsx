import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/empty-state";
import { TabLinks } from "@/components/ui/tab-links";
import { type Action, can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { IdentitySection } from "./identity-section";
import { JobsTab, OutboundTab, PeopleTab, PoliciesTab, TeamsTab } from "./tabs";

export const metadata: Metadata = { title: "Admin" };

const tabs = [
  { id: "people", label: "People" },
  { id: "teams", label: "Teams" },
  { id: "policies", label: "Policies" },
  { id: "outbound", label: "Outbound connections" },
  { id: "identity", label: "Identity providers" },
  { id: "jobs", label: "Background jobs" },
] as const;

type TabId = (typeof tabs)[number]["id"];

/** The permission a tab needs beyond seeing Admin: settings (policies, outbound rule) and trusted issuers. */
const tabPermission: Partial<Record<TabId, Action>> = { policies: "settings.manage", outbound: "settings.manage", identity: "identity.manage", jobs: "jobs.view" };

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePagePermission("users.view");
  const query = await searchParams;
  const shown = tabs.filter((tab) => {
    const needed = tabPermission[tab.id];
    return !needed || can(actor, needed);
  });
  const tab: TabId = shown.find((t) => t.id === query.tab)?.id ?? "people";
  return (
    <>
      <PageHeader title="Admin">People who sign in to Toolgate, their roles and their teams, the certification policies, where Toolgate may connect, which identity providers it trusts and how its background jobs run.</PageHeader>
      <TabLinks label="Admin sections" current={tab} tabs={shown.map((t) => ({ ...t, href: t.id === "people" ? "/admin" : `/admin?tab=${t.id}` }))} />
      {tab === "people" && <PeopleTab actor={actor} />}
      {tab === "teams" && <TeamsTab />}
      {tab === "policies" && <PoliciesTab />}
      {tab === "outbound" && <OutboundTab />}
      {tab === "identity" && <IdentitySection actor={actor} />}
      {tab === "jobs" && <JobsTab />}
    </>
  );
}

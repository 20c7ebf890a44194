import type { Metadata } from "next";
import { PageHeader } from "@/components/ui/empty-state";
import { TabLinks } from "@/components/ui/tab-links";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { OutboundTab, PeopleTab, PoliciesTab, TeamsTab } from "./tabs";

export const metadata: Metadata = { title: "Admin" };

const tabs = [
  { id: "people", label: "People" },
  { id: "teams", label: "Teams" },
  { id: "policies", label: "Policies" },
  { id: "outbound", label: "Outbound connections" },
] as const;

type TabId = (typeof tabs)[number]["id"];

/** Policies and the outbound rule are settings: only those who may change them see their tabs. */
const settingsTabs: readonly TabId[] = ["policies", "outbound"];

export default async function AdminPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const actor = await requirePagePermission("users.view");
  const query = await searchParams;
  const shown = tabs.filter((tab) => can(actor, "settings.manage") || !settingsTabs.includes(tab.id));
  const tab: TabId = shown.find((t) => t.id === query.tab)?.id ?? "people";
  return (
    <>
      <PageHeader title="Admin">People who sign in to Toolgate, their roles and their teams, the certification policies and where Toolgate may connect.</PageHeader>
      <TabLinks label="Admin sections" current={tab} tabs={shown.map((t) => ({ ...t, href: t.id === "people" ? "/admin" : `/admin?tab=${t.id}` }))} />
      {tab === "people" && <PeopleTab actor={actor} />}
      {tab === "teams" && <TeamsTab />}
      {tab === "policies" && <PoliciesTab />}
      {tab === "outbound" && <OutboundTab />}
    </>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { DriftTable } from "@/components/catalog/drift-table";
import { HostPatternsForm } from "@/components/catalog/host-patterns-form";
import { NextStepStrip } from "@/components/certification/next-step-strip";
import { KillSwitchBadge } from "@/components/killswitch/kill-switch-badge";
import { RiskBadge, StatusBadge } from "@/components/ui/badges";
import { PageHeader } from "@/components/ui/empty-state";
import { TabLinks } from "@/components/ui/tab-links";
import { may, ownsServer } from "@/lib/auth/access";
import { requirePagePermission } from "@/lib/auth/session";
import { governingRiskTier } from "@/lib/catalog/risk";
import { nextStep } from "@/lib/certification/next-step";
import { entryFacts } from "@/lib/certification/status";
import { openDriftIncidents } from "@/lib/gateway/drift";
import { killSwitchesFor } from "@/lib/killswitch/switches";
import { updateHostPatternsAction } from "../actions";
import { loadEntry } from "./entry";
import { ReviewTab } from "./review-tab";
import { EvidenceTab } from "./evidence-tab";
import { HistoryTab, OverviewTab, RiskTab, ToolsTab, VersionsTab } from "./tabs";

export const metadata: Metadata = { title: "Catalog entry" };

const tabs = [
  { id: "overview", label: "Overview" },
  { id: "versions", label: "Versions" },
  { id: "tools", label: "Tools" },
  { id: "risk", label: "Risk & data handling" },
  { id: "evidence", label: "Evidence" },
  { id: "review", label: "Review & promotion" },
  { id: "history", label: "History" },
] as const;

type TabId = (typeof tabs)[number]["id"];

interface Props {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

export default async function EntryPage({ params, searchParams }: Props) {
  const user = await requirePagePermission("catalog.view");
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const server = await loadEntry(id);
  const tab: TabId = tabs.find((t) => t.id === query.tab)?.id ?? "overview";
  const latest = server.versions[0] ?? null;
  // The version asked for (?v=); the Tools and Risk tabs fall back to the latest.
  const requested = typeof query.v === "string" ? query.v : undefined;
  const version = requested ?? latest?.version;
  // The tier that governs access (the reviewers' on certified versions, or the owner's if higher).
  const [editor, reviewer, owns, facts, switches, drift, riskTier] = await Promise.all([
    may(user, "server.edit", server),
    may(user, "server.review", server),
    ownsServer(user.id, server.id),
    entryFacts(server),
    killSwitchesFor({ serverId: server.id }),
    openDriftIncidents(server.id),
    governingRiskTier(server.id),
  ]);
  const step = nextStep(facts, { actor: user, editor, reviewer, owns });
  const base = `/catalog/${server.id}`;
  return (
    <>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageHeader title={server.title}>
          <span className="font-mono">{server.name}</span> · {server.team.name}
        </PageHeader>
        <div className="mb-6 flex flex-wrap items-center gap-3 text-sm">
          {latest && <span className="font-mono">{latest.version}</span>}
          <StatusBadge status={latest?.status ?? null} />
          <KillSwitchBadge switches={switches} />
          <span className="text-slate-600">Risk tier</span>
          <RiskBadge tier={riskTier} />
          {editor && latest?.status === "draft" && (
            <Link href={`${base}/edit`} className="rounded border border-slate-300 bg-white px-4 py-2 font-medium text-slate-800 hover:bg-slate-100">
              Edit
            </Link>
          )}
        </div>
      </div>
      <NextStepStrip step={step} version={latest?.version ?? null} />
      <TabLinks
        label="Entry sections"
        current={tab}
        tabs={tabs.map((t) => ({ ...t, href: t.id === "overview" ? base : `${base}?tab=${t.id}` }))}
      />
      {tab === "overview" && (
        <>
          {drift.length > 0 && (
            <section className="mb-6" aria-label="Drift">
              <p role="alert" className="mb-2 font-medium text-red-800">
                The gateway blocks {drift.length === 1 ? "a tool" : `${drift.length} tools`} of this server: definition drift since certification.
              </p>
              <DriftTable incidents={drift} />
            </section>
          )}
          <OverviewTab server={server} riskTier={riskTier} />
          {editor && (
            <HostPatternsForm
              action={updateHostPatternsAction.bind(null, server.id)}
              resultCacheTtlSeconds={server.resultCacheTtlSeconds}
              idempotencyWindowSeconds={server.idempotencyWindowSeconds}
            />
          )}
        </>
      )}
      {tab === "versions" && <VersionsTab server={server} selected={requested} editor={editor} />}
      {tab === "tools" && <ToolsTab server={server} version={version} />}
      {tab === "risk" && <RiskTab server={server} version={version} />}
      {tab === "evidence" && <EvidenceTab server={server} version={version} user={user} />}
      {tab === "review" && <ReviewTab server={server} version={version} user={user} editor={editor} reviewer={reviewer} facts={facts} />}
      {tab === "history" && <HistoryTab serverId={server.id} />}
    </>
  );
}

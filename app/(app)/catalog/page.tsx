import type { Metadata } from "next";
import Link from "next/link";
import { KillSwitchBadge } from "@/components/killswitch/kill-switch-badge";
import { RiskBadge, StatusBadge } from "@/components/ui/badges";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { FilterForm } from "@/components/ui/filter-form";
import { plainOptions, SelectField, TextField } from "@/components/ui/form-fields";
import { Cell, Table } from "@/components/ui/table";
import { activeKillSwitches } from "@/lib/killswitch/switches";
import type { KillSwitchView } from "@/lib/killswitch/types";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { catalogQuerySchema, classifications, environments, riskTiers, versionStatuses } from "@/lib/catalog/schemas";
import { type CatalogRow, pinsByEnvironment, searchCatalog } from "@/lib/catalog/search";
import { listTeams } from "@/lib/teams/manage";

export const metadata: Metadata = { title: "Catalog" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function CatalogPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePagePermission("catalog.view");
  const params = await searchParams;
  const query = catalogQuerySchema.safeParse(params);
  const [teams, rows, switches] = await Promise.all([listTeams(), query.success ? searchCatalog(query.data) : [], activeKillSwitches()]);
  // Filters keep their choice only when it is valid; an invalid one is reported below the form.
  const filter = (name: "status" | "riskTier" | "classification" | "teamId" | "environment") => ({
    name,
    defaultValue: (query.success && query.data[name]) || "",
  });
  return (
    <>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <PageHeader title="Catalog">MCP servers registered with Toolgate.</PageHeader>
        {can(user, "catalog.register") ? (
          <Link href="/catalog/new" className="rounded bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800">
            Register a server
          </Link>
        ) : (
          <p className="max-w-sm text-sm text-slate-600">
            Registering a server needs the Server owner role and a team.{" "}
            {can(user, "users.updateRoles") ? "As an administrator, give that role (to yourself or someone else) under Admin → Users." : "Ask an administrator for it."}
          </p>
        )}
      </div>
      <FilterForm label="Search the catalog" submitLabel="Search" clearHref="/catalog">
        <TextField label="Search" name="q" type="search" placeholder="Name, title, purpose or tool" defaultValue={typeof params.q === "string" ? params.q : ""} />
        <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
          <SelectField label="Status" placeholder="Any status" options={plainOptions(versionStatuses)} {...filter("status")} />
          <SelectField label="Risk tier" placeholder="Any risk tier" options={plainOptions(riskTiers)} {...filter("riskTier")} />
          <SelectField label="Classification" placeholder="Any classification" options={plainOptions(classifications)} {...filter("classification")} />
          <SelectField label="Owning team" placeholder="Any team" options={teams.map((team) => ({ value: team.id, label: team.name }))} {...filter("teamId")} />
          <SelectField label="Environment" placeholder="Any environment" options={plainOptions(environments)} {...filter("environment")} />
        </div>
      </FilterForm>
      {query.success ? <Results rows={rows} filtered={Object.values(query.data).some(Boolean)} switches={switches} /> : <BadQuery issues={query.error.issues} />}
    </>
  );
}

function BadQuery({ issues }: { issues: { path: PropertyKey[]; message: string }[] }) {
  return (
    <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
      These filters cannot be used: {issues.map((issue) => `${String(issue.path[0] ?? "query")}: ${issue.message}`).join(" ")} Clear the
      filters or choose from the lists.
    </p>
  );
}

function Results({ rows, filtered, switches }: { rows: CatalogRow[]; filtered: boolean; switches: KillSwitchView[] }) {
  if (rows.length === 0) {
    return <EmptyState>{filtered ? "No server matches this search." : "No servers are registered yet."}</EmptyState>;
  }
  return (
    <Table label="Catalog entries" headings={["Name", "Title", "Team", "Latest version", "Runs", "Risk tier", "Classification", "Tools"]}>
      {rows.map((row) => (
        <tr key={row.id} className="border-b border-slate-100 align-top">
          <Cell>
            <Link href={`/catalog/${row.id}`} className="whitespace-nowrap font-mono text-indigo-700 underline">
              {row.name}
            </Link>
            <RowBadges driftedTools={row.driftedTools} switches={switches.filter((s) => s.scope === "global" || s.serverId === row.id)} />
          </Cell>
          <Cell>{row.title}</Cell>
          <Cell>{row.teamName}</Cell>
          <Cell>
            {row.latestVersion && <span className="mr-2 font-mono">{row.latestVersion}</span>}
            <StatusBadge status={row.status} />
          </Cell>
          <Cell className="whitespace-nowrap font-mono text-xs" data-testid="pins">
            {pinsByEnvironment(row)
              .map((pin) => `${pin.environment} ${pin.version ?? "—"}`)
              .join(" · ")}
          </Cell>
          <Cell>
            <RiskBadge tier={row.riskTier} />
          </Cell>
          <Cell>{row.classification}</Cell>
          <Cell>{row.toolCount}</Cell>
        </tr>
      ))}
    </Table>
  );
}

/** Drift and kill switches (any that stops this server, one of its versions or one of its tools). */
function RowBadges({ driftedTools, switches }: { driftedTools: number; switches: KillSwitchView[] }) {
  if (driftedTools === 0 && switches.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap gap-1">
      {driftedTools > 0 && <DriftBadge tools={driftedTools} />}
      <KillSwitchBadge switches={switches} />
    </div>
  );
}

/** Open drift incidents on the entry: the gateway blocks these tools until they match again. */
function DriftBadge({ tools }: { tools: number }) {
  return (
    <Link href="/drift" data-testid="drift-badge" className="inline-block rounded bg-amber-100 px-2 py-0.5 text-xs font-semibold text-amber-900 underline">
      Drift: {tools} {tools === 1 ? "tool" : "tools"}
    </Link>
  );
}

import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { DeclaredCapabilities } from "@/components/catalog/declared-capabilities";
import { ImportVersionForm } from "@/components/catalog/import-version-form";
import { ToolChanges } from "@/components/catalog/tool-changes";
import { RiskBadge, StatusBadge } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { EmptyState } from "@/components/ui/empty-state";
import { Cell, Table } from "@/components/ui/table";
import type { ServerEntry } from "@/lib/catalog/read";
import { serverHistory, versionDiff } from "@/lib/catalog/read";
import { environments } from "@/lib/catalog/schemas";
import { importVersionAction } from "../actions";
import { approvalToolsOf, loadVersion } from "./entry";
import { orNotFound } from "@/lib/not-found";

// The sections of a catalog entry's page, one per tab; each reads only what it shows.

type Version = ServerEntry["versions"][number];

const noVersion = <EmptyState>This entry has no version yet.</EmptyState>;

function dependencyList(dependencies: Version["dependencies"]): string {
  const list = dependencies as { name: string; version: string }[];
  return list.map((dependency) => `${dependency.name}@${dependency.version}`).join(", ");
}

export function OverviewTab({ server, riskTier }: { server: ServerEntry; riskTier: ServerEntry["riskTier"] }) {
  const latest = server.versions[0];
  return (
    <DescriptionList
      items={[
        ["Name", <span key="name" className="font-mono">{server.name}</span>],
        ["Title", server.title],
        ["Purpose", server.purpose],
        ["Owning team", server.team.name],
        ["Owners", server.owners.map(({ user }) => `${user.name} <${user.email}>`).join(", ")],
        ["Environments", server.environments.join(", ")],
        ["Data classification", server.classification],
        ["Risk tier", <RiskBadge key="risk" tier={riskTier} />],
        ["Endpoint URL", <span key="url" className="break-all font-mono">{server.endpointUrl}</span>],
        ["Credential", server.credentialHeader ? `${server.credentialHeader}: ${server.credentialHint ?? ""} (stored encrypted)` : "None"],
        [
          "Latest version",
          latest ? (
            <span key="latest" className="flex items-center gap-2">
              <span className="font-mono">{latest.version}</span> <StatusBadge status={latest.status} />
            </span>
          ) : (
            "None"
          ),
        ],
        ["Registered", server.createdAt.toISOString().slice(0, 10)],
        ["Gateway result cache", server.resultCacheTtlSeconds > 0 ? `${server.resultCacheTtlSeconds} s (read-only, idempotent tools)` : "Off"],
        ["Idempotency window", server.idempotencyWindowSeconds > 0 ? `${server.idempotencyWindowSeconds} s` : "Off (keys refused)"],
      ]}
    />
  );
}

function VersionLinks({ server, tab, current }: { server: ServerEntry; tab: string; current?: string }) {
  return (
    <nav aria-label="Versions" className="mb-4 flex flex-wrap items-center gap-2 text-sm">
      <span className="text-slate-600">Version:</span>
      {server.versions.map((v) => (
        <Link
          key={v.id}
          href={`/catalog/${server.id}?tab=${tab}&v=${encodeURIComponent(v.version)}`}
          aria-current={v.version === current ? "page" : undefined}
          className={`rounded px-2 py-1 font-mono ${v.version === current ? "bg-indigo-50 font-semibold text-indigo-800" : "text-indigo-700 underline"}`}
        >
          {v.version}
        </Link>
      ))}
    </nav>
  );
}

export async function VersionsTab({ server, selected, editor }: { server: ServerEntry; selected?: string; editor: boolean }) {
  const diff = selected ? await orNotFound(() => versionDiff(server.id, selected)) : null;
  return (
    <div className="space-y-6">
      {server.versions.length === 0 ? (
        noVersion
      ) : (
        <Table label="Versions" headings={["Version", "Status", "Declared server", "Protocol", "Tools", "Resources", "Prompts", "Dependencies", "Imported"]}>
          {server.versions.map((v) => (
            <tr key={v.id} className={`border-b border-slate-100 align-top ${v.version === selected ? "bg-indigo-50" : ""}`}>
              <Cell>
                <Link href={`/catalog/${server.id}?tab=versions&v=${encodeURIComponent(v.version)}`} className="font-mono text-indigo-700 underline">
                  {v.version}
                </Link>
              </Cell>
              <Cell>
                <StatusBadge status={v.status} />
              </Cell>
              <Cell>
                {v.declaredName} <span className="font-mono">{v.declaredVersion}</span>
              </Cell>
              <Cell className="font-mono">{v.protocolVersion}</Cell>
              <Cell>{v._count.tools}</Cell>
              <Cell>{v._count.resources}</Cell>
              <Cell>{v._count.prompts}</Cell>
              <Cell className="font-mono text-xs">{dependencyList(v.dependencies) || "none"}</Cell>
              <Cell className="whitespace-nowrap">{v.createdAt.toISOString().slice(0, 10)}</Cell>
            </tr>
          ))}
        </Table>
      )}
      {diff && selected ? (
        <ToolChanges version={selected} previous={diff.previous} changes={diff.changes} />
      ) : (
        server.versions.length > 0 && <p className="text-sm text-slate-600">Choose a version to see how its tools changed from the one before.</p>
      )}
      {editor && <ImportVersionForm action={importVersionAction.bind(null, server.id)} latest={server.versions[0]?.version ?? null} />}
    </div>
  );
}

export async function ToolsTab({ server, version }: { server: ServerEntry; version?: string }) {
  if (!version) return noVersion;
  const detail = await loadVersion(server.id, version);
  return (
    <>
      <VersionLinks server={server} tab="tools" current={version} />
      <DeclaredCapabilities tools={detail.tools} resources={detail.resources} resourceTemplates={detail.resourceTemplates} prompts={detail.prompts} showSchemas />
    </>
  );
}

export async function RiskTab({ server, version }: { server: ServerEntry; version?: string }) {
  const detail = version ? await loadVersion(server.id, version) : null;
  const approvalTools = approvalToolsOf(server);
  return (
    <div className="space-y-6">
      <DescriptionList
        title="Risk posture"
        items={[
          ["Threat model", server.threatModel],
          ["Risk appetite", server.riskAppetite],
          ["Risk tier declared by the owner", <RiskBadge key="tier" tier={server.riskTier} />],
        ]}
      />
      <DescriptionList
        title="Authority boundaries"
        items={environments.map((environment) => [`Needs approval in ${environment}`, boundary(server, approvalTools[environment], environment)])}
      />
      <DescriptionList
        title="Data handling"
        items={[
          ["Classification", server.classification],
          ["Minimisation", server.dataMinimisation],
          ["Masking", server.dataMasking],
          ["Sensitive fields", server.sensitiveFields.join(", ")],
          ["Retention", server.dataRetention],
          ["Consent", server.dataConsent],
        ]}
      />
      {detail && (
        <DescriptionList title={`Mitigations of version ${detail.version}`} items={[["Mitigations", detail.mitigations]]}>
          <VersionLinks server={server} tab="risk" current={detail.version} />
        </DescriptionList>
      )}
    </div>
  );
}

function boundary(server: ServerEntry, tools: string[] | undefined, environment: (typeof environments)[number]) {
  if (!server.environments.includes(environment)) return "Not allowed to run here";
  if (!tools?.length) return "No tool: agents call every tool on their own";
  return <span className="font-mono">{tools.join(", ")}</span>;
}

export async function HistoryTab({ serverId }: { serverId: string }) {
  return <AuditTable events={await serverHistory(serverId)} />;
}

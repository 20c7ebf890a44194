import { notFound } from "next/navigation";
import { AddEvidenceForm } from "@/components/certification/add-evidence-form";
import { VersionChecks } from "@/components/certification/version-checks";
import { Badge } from "@/components/ui/badges";
import { EmptyState } from "@/components/ui/empty-state";
import { TabLinks } from "@/components/ui/tab-links";
import { Cell, Table } from "@/components/ui/table";
import { may } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import type { ServerEntry } from "@/lib/catalog/read";
import { prereleaseChecks } from "@/lib/certification/checks";
import { formatBytes } from "@/lib/evidence/file-size";
import { evidenceKindLabels, evidenceKinds } from "@/lib/evidence/records";
import { listEvidence } from "@/lib/evidence/store";
import { evidenceSummary } from "@/lib/evidence/summary";
import type { VersionStatus } from "@/lib/generated/prisma/client";
import { getPolicy } from "@/lib/settings/policy";
import { addEvidenceAction } from "./evidence-actions";

type Evidence = Awaited<ReturnType<typeof listEvidence>>[number];

/** Evidence may be added until review ends (the domain enforces this too). */
const openStatuses: readonly VersionStatus[] = ["draft", "submitted", "in_review"];

const kindOptions = evidenceKinds.map((kind) => ({ value: kind, label: evidenceKindLabels[kind] }));

const when = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

function EvidenceRow({ item }: { item: Evidence }) {
  return (
    <tr className="border-b border-slate-100 align-top" data-testid={`evidence-${item.id}`}>
      <Cell className="whitespace-nowrap">
        <Badge tone="info">{evidenceKindLabels[item.kind]}</Badge>
      </Cell>
      <Cell>
        <div className="font-medium">{item.title}</div>
        <div className="text-slate-700">{evidenceSummary(item.kind, item.record)}</div>
      </Cell>
      <Cell>
        <div>{item.createdBy ? item.createdBy.name || item.createdBy.email : "unknown"}</div>
        <div className="whitespace-nowrap text-slate-600">{when(item.createdAt)}</div>
      </Cell>
      <Cell>
        <code className="break-all text-xs" title="SHA-256">
          {item.sha256}
        </code>
      </Cell>
      <Cell>
        {item.fileName ? (
          <a href={`/api/v1/evidence/${item.id}`} download className="text-indigo-700 underline" aria-label={`Download ${item.fileName}`}>
            Download
            <span className="block text-xs text-slate-600">{formatBytes(item.sizeBytes)}</span>
          </a>
        ) : (
          <span className="text-slate-500">no file</span>
        )}
      </Cell>
    </tr>
  );
}

/** A version's evidence: the prerelease checklist it feeds, each item as stored, and the form to add more. */
export async function EvidenceTab({ server, version, user }: { server: ServerEntry; version?: string; user: CurrentUser }) {
  const chosen = version ?? server.versions[0]?.version;
  if (!chosen) return <EmptyState>This entry has no version yet, so there is nothing to attach evidence to.</EmptyState>;
  const selected = server.versions.find((v) => v.version === chosen);
  if (!selected) notFound();

  const open = openStatuses.includes(selected.status);
  const [checks, evidence, mayAdd] = await Promise.all([prereleaseChecks(selected.id), listEvidence(selected.id), may(user, "evidence.add", server)]);
  const maxUploadBytes = open && mayAdd ? await getPolicy("evidence.maxUploadBytes") : 0;

  return (
    <div className="space-y-8">
      <TabLinks
        label="Versions"
        current={selected.version}
        tabs={server.versions.map((v) => ({ id: v.version, label: v.version, href: `/catalog/${server.id}?tab=evidence&v=${encodeURIComponent(v.version)}` }))}
      />
      <VersionChecks version={selected.version} status={selected.status} checks={checks.checks} />
      <section>
        <h2 className="mb-2 text-lg font-semibold">Evidence ({evidence.length})</h2>
        {evidence.length === 0 ? (
          <EmptyState>No evidence yet: eval results, red-team reports, scans, attestations and SBOMs are attached here.</EmptyState>
        ) : (
          <Table label="Evidence" headings={["Kind", "Evidence", "Added", "SHA-256", "File"]}>
            {evidence.map((item) => (
              <EvidenceRow key={item.id} item={item} />
            ))}
          </Table>
        )}
      </section>
      {!open && (
        <p className="text-sm text-slate-600">
          Version {selected.version} is {selected.status.replace("_", " ")}: its evidence is frozen. Evidence goes to a new version instead.
        </p>
      )}
      {open && mayAdd && (
        <AddEvidenceForm
          action={addEvidenceAction.bind(null, server.id)}
          versionId={selected.id}
          version={selected.version}
          kinds={kindOptions}
          maxUploadBytes={maxUploadBytes}
        />
      )}
    </div>
  );
}

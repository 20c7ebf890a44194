import type { Metadata } from "next";
import Link from "next/link";
import { AuditFilters } from "@/components/audit/audit-filters";
import { AuditQuarantineAlert } from "@/components/audit/audit-quarantine-alert";
import { AuditTable } from "@/components/audit/audit-table";
import { ActionButton } from "@/components/ui/action-button";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { UnusableFilters } from "@/components/ui/unusable-filters";
import { auditFilterKeys, auditFilterQuery, auditFiltersSchema } from "@/lib/audit-trail/filters";
import { latestHeadCheckpoint } from "@/lib/audit/checkpoints";
import { quarantineSummary } from "@/lib/audit/quarantine";
import { type AuditPage, searchAuditEvents } from "@/lib/audit-trail/query";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { verifyChainAction } from "./actions";
import { utcToTheSecond } from "@/lib/text/utc-time";

export const metadata: Metadata = { title: "Audit" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const pageSize = 100;
const linkClass = "rounded border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100";

/** The newest signed checkpoint, which verification also checks (docs/decisions/041). */
async function CheckpointNote() {
  const checkpoint = await latestHeadCheckpoint();
  return (
    <span data-testid="audit-checkpoint" className="text-sm text-slate-600">
      {checkpoint ? `Last signed checkpoint: #${checkpoint.chainSeq} at ${utcToTheSecond(checkpoint.signedAt)} UTC` : "No signed checkpoint yet"} (
      <a href="/api/v1/audit/checkpoints" className="underline">
        public list
      </a>
      )
    </span>
  );
}

export default async function AuditTrailPage({ searchParams }: { searchParams: SearchParams }) {
  const user = await requirePagePermission("audit.view");
  const params = await searchParams;
  const values = Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
  const query = auditFiltersSchema.safeParse(params);
  return (
    <>
      <PageHeader title="Audit">
        Who did what, when and why, newest first. Each event is linked to the one before it by a hash chain, so a changed or
        deleted event shows when the chain is verified.
      </PageHeader>
      {can(user, "audit.quarantine") && <AuditQuarantineAlert summary={await quarantineSummary()} />}
      <AuditFilters values={values} />
      <div className="mb-4 flex flex-wrap items-center gap-3">
        {can(user, "audit.export") && query.success && (
          <>
            <a href={`/audit/export?${auditFilterQuery(params, { format: "csv" })}`} download data-testid="export-csv" className={linkClass}>
              Export CSV
            </a>
            <a href={`/audit/export?${auditFilterQuery(params, { format: "jsonl" })}`} download data-testid="export-jsonl" className={linkClass}>
              Export JSON Lines
            </a>
          </>
        )}
        {can(user, "audit.verify") && (
          <div data-testid="verify-chain" className="ml-auto flex items-center gap-3">
            <CheckpointNote />
            <ActionButton action={verifyChainAction} fields={{}} label="Verify chain" />
          </div>
        )}
      </div>
      {query.success ? (
        <Results
          page={await searchAuditEvents(query.data, pageSize)}
          params={params}
          filtered={auditFilterKeys.some((key) => values[key])}
          paged={query.data.cursor !== undefined}
        />
      ) : (
        <UnusableFilters error={query.error} />
      )}
    </>
  );
}

interface ResultsProps {
  page: AuditPage;
  params: Record<string, string | string[] | undefined>;
  filtered: boolean;
  paged: boolean;
}

function Results({ page, params, filtered, paged }: ResultsProps) {
  if (page.events.length === 0) return <EmptyState>{filtered ? "No audit event matches these filters." : "No audit events yet."}</EmptyState>;
  const { olderCursor } = page;
  return (
    <>
      <AuditTable events={page.events} />
      <nav aria-label="Pages" className="mt-4 flex gap-3">
        {paged && (
          <Link href={`/audit?${auditFilterQuery(params)}`} className={linkClass}>
            Newest
          </Link>
        )}
        {olderCursor !== null && (
          <Link href={`/audit?${auditFilterQuery(params, { cursor: olderCursor.toString() })}`} data-testid="audit-older" className={linkClass}>
            Older
          </Link>
        )}
      </nav>
    </>
  );
}

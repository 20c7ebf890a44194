import Link from "next/link";
import type { QuarantineSummary } from "@/lib/audit/quarantine";
import { utcToTheSecond } from "@/lib/text/utc-time";

/**
 * For administrators: audit events the database refused were set aside rather than blocking the rest.
 * They are not in the trail; their original text is in the quarantine file(s) named here.
 */
export function AuditQuarantineAlert({ summary }: { summary: QuarantineSummary }) {
  if (summary.count === 0) return null;
  return (
    <div role="alert" data-testid="audit-quarantine-alert" className="mb-4 rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-900">
      <p className="font-medium">
        {summary.count} audit event{summary.count === 1 ? " was" : "s were"} set aside in quarantine
        {summary.lastAt && <> (last on {utcToTheSecond(summary.lastAt)} UTC)</>}.
      </p>
      <p className="mt-1">
        The database refused them, so they are not in the trail below; every other event was written. Their original text is kept, one JSON line
        each, in {summary.files.length > 0 ? summary.files.map((file, index) => <span key={file}>{index > 0 && ", "}<code className="rounded bg-amber-100 px-1">{file}</code></span>) : "the data folder's audit-quarantine.jsonl"}{" "}
        on the gateway&apos;s host. <Link className="underline" href="/audit?action=audit.event_quarantined">Show the quarantine events</Link>.
      </p>
    </div>
  );
}

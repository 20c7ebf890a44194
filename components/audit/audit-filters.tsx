import Link from "next/link";
import { Button, plainOptions, SelectField, TextField } from "@/components/ui/form-fields";
import { auditOutcomes } from "@/lib/audit-trail/filters";

/**
 * The audit trail's filters as a GET form, so a filtered view lives in its URL and can be shared or
 * exported. Fields show what was typed, even when it was refused, so it can be corrected.
 */
export function AuditFilters({ values }: { values: Record<string, string> }) {
  const field = (name: string) => ({ name, defaultValue: values[name] ?? "" });
  return (
    <form method="get" role="search" aria-label="Filter the audit trail" data-testid="audit-filters" className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <TextField label="Actor" placeholder="Email, system or agent:name" {...field("actor")} />
        <TextField label="Action" placeholder="user.create, or gateway. for all" {...field("action")} />
        <TextField label="Target" placeholder="server or server:<id>" {...field("target")} />
        <SelectField label="Outcome" placeholder="Any outcome" options={plainOptions(auditOutcomes)} {...field("outcome")} />
        <TextField label="From (UTC)" type="datetime-local" {...field("from")} />
        <TextField label="To (UTC)" type="datetime-local" {...field("to")} />
        <div className="sm:col-span-2">
          <TextField label="Reason or correlation id" type="search" {...field("q")} />
        </div>
      </div>
      <div className="flex gap-3">
        <Button type="submit">Filter</Button>
        <Link href="/audit" className="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100">
          Clear
        </Link>
      </div>
    </form>
  );
}

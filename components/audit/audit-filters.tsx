import { FilterForm } from "@/components/ui/filter-form";
import { plainOptions, SelectField, TextField } from "@/components/ui/form-fields";
import { auditOutcomes } from "@/lib/audit-trail/filters";

/**
 * The audit trail's filters; the filtered view's URL can also be exported. Fields show what was typed,
 * even when it was refused, so it can be corrected.
 */
export function AuditFilters({ values }: { values: Record<string, string> }) {
  const field = (name: string) => ({ name, defaultValue: values[name] ?? "" });
  return (
    <FilterForm label="Filter the audit trail" submitLabel="Filter" clearHref="/audit" testId="audit-filters">
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
    </FilterForm>
  );
}

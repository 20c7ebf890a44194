import { Button, plainOptions, SelectField, TextField } from "@/components/ui/form-fields";

interface Values {
  status?: string;
  agent?: string;
  server?: string;
}

/** Filters for the tool-call history; a GET form, so the filters live in the URL. */
export function ToolCallHistoryFilters({ values }: { values: Values }) {
  return (
    <form method="get" aria-label="Tool-call history filters" className="grid gap-3 sm:grid-cols-4 sm:items-end">
      <SelectField label="Status" name="status" options={plainOptions(["approved", "denied", "used", "expired"])} placeholder="Any decided" defaultValue={values.status ?? ""} />
      <TextField label="Agent or user" name="agent" defaultValue={values.agent ?? ""} />
      <TextField label="Server" name="server" defaultValue={values.server ?? ""} />
      <Button type="submit" variant="secondary">
        Filter
      </Button>
    </form>
  );
}

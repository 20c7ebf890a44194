"use client";

import { FormMessage, RequiredNote, SubmitButton } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import type { ActionState } from "@/lib/action-state";
import type { importVersion } from "@/lib/catalog/versions";
import { VersionFields } from "./server-details-fields";
import { ToolChanges } from "./tool-changes";

export type VersionImport = Awaited<ReturnType<typeof importVersion>> & { version: string };
type ImportVersion = (state: ActionState<VersionImport>, form: FormData) => Promise<ActionState<VersionImport>>;

/** Imports what the live server declares now as a new draft version, then shows what changed. */
export function ImportVersionForm({ action, latest }: { action: ImportVersion; latest: string | null }) {
  const { state, formAction, pending: importing, errors, values } = useFormAction(action);
  return (
    <div className="space-y-4">
      <form action={formAction} noValidate aria-label="Import new version" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
        <h2 className="text-lg font-semibold">Import a new version</h2>
        <p className="text-sm text-slate-600">
          Toolgate reads the live server again and stores what it declares as a new draft
          {latest ? `; the version must be greater than ${latest}` : ""}.
        </p>
        <RequiredNote />
        <VersionFields values={values} errors={errors} />
        <FormMessage state={state} />
        <SubmitButton pending={importing} pendingLabel="Importing…">
          Import version
        </SubmitButton>
      </form>
      {state.status === "ok" && state.data && <ToolChanges {...state.data} />}
    </div>
  );
}

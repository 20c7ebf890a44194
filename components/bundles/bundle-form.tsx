"use client";

import { type ActionState, errorsUnder, valueList, valueText } from "@/lib/action-state";
import type { ToolChoice } from "@/lib/bundles/bundle-list";
import { FormMessage, type Option, RequiredNote, SelectField, SubmitButton, TextArea, TextField } from "../ui/form-fields";
import { useFormAction } from "../ui/use-form-action";
import { ToolPicker } from "./tool-picker";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** A new bundle: its name (its endpoint's path), title, description, owning team and first draft's tools. */
export function BundleForm({ action, teams, choices }: { action: Action; teams: readonly Option[]; choices: readonly ToolChoice[] }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="New bundle" className="max-w-3xl space-y-4">
      <RequiredNote />
      <TextField
        label="Name"
        name="name"
        required
        maxLength={64}
        autoComplete="off"
        aria-describedby={errors.name ? "name-error" : "name-hint"}
        defaultValue={valueText(values, "name")}
        errors={errors.name}
      />
      <p id="name-hint" className="-mt-3 text-xs text-slate-600">
        Lower-case letters, digits and hyphens, as support-desk: agents connect at /mcp/bundles/support-desk.
      </p>
      <TextField label="Title" name="title" required maxLength={200} defaultValue={valueText(values, "title")} errors={errors.title} />
      <TextArea label="Description" name="description" maxLength={2000} defaultValue={valueText(values, "description")} errors={errors.description} />
      <SelectField label="Team" name="teamId" required options={teams} placeholder="Choose a team" defaultValue={valueText(values, "teamId")} errors={errors.teamId} />
      <ToolPicker choices={choices} checked={valueList(values, "tools")} errors={errorsUnder(errors, "tools")} />
      <FormMessage state={state} />
      <SubmitButton pending={pending} pendingLabel="Creating…">
        Create bundle
      </SubmitButton>
    </form>
  );
}

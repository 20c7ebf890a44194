"use client";

import { Button, FormMessage, plainOptions, RequiredNote, SelectField, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";
import { environments } from "@/lib/catalog/schemas";

type CreateAgent = (state: ActionState, form: FormData) => Promise<ActionState>;

/** Registers an agent (one AI application) for a team and an environment. */
export function CreateAgentForm({ action, teams }: { action: CreateAgent; teams: { id: string; name: string }[] }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="Create agent" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Create an agent</h2>
      <RequiredNote />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Agent name" name="name" required placeholder="support-bot" defaultValue={valueText(values, "name")} errors={errors.name} />
        <TextField label="Description (optional)" name="description" defaultValue={valueText(values, "description")} errors={errors.description} />
        <SelectField
          label="Team"
          name="teamId"
          required
          options={teams.map((team) => ({ value: team.id, label: team.name }))}
          defaultValue={valueText(values, "teamId")}
          errors={errors.teamId}
        />
        <SelectField label="Environment" name="environment" required options={plainOptions(environments)} defaultValue={valueText(values, "environment")} errors={errors.environment} />
      </div>
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        Create agent
      </Button>
    </form>
  );
}

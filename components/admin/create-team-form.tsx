"use client";

import { Button, FormMessage, RequiredNote, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";

export function CreateTeamForm({ action }: { action: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="Create team" className="flex flex-wrap items-end gap-4">
      <div className="basis-full">
        <RequiredNote />
      </div>
      <div className="w-full sm:w-72">
        <TextField label="Team name" name="name" required defaultValue={valueText(values, "name")} errors={errors.name} />
      </div>
      <Button type="submit" disabled={pending}>
        Create team
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

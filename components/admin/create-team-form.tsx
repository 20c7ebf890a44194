"use client";

import { useActionState } from "react";
import { Button, FormMessage, TextField } from "@/components/ui/form-fields";
import { type ActionState, idle, valueText } from "@/lib/action-state";

export function CreateTeamForm({ action }: { action: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const [state, formAction, pending] = useActionState(action, idle);
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={formAction} noValidate aria-label="Create team" className="flex flex-wrap items-end gap-4">
      <div className="w-72">
        <TextField label="Team name" name="name" defaultValue={state.status === "error" ? valueText(state.values ?? {}, "name") : ""} errors={errors.name} />
      </div>
      <Button type="submit" disabled={pending}>
        Create team
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

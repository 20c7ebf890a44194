"use client";

import { useActionState } from "react";
import { FormMessage, SubmitButton } from "@/components/ui/form-fields";
import { type ActionState, type FormValues, idle } from "@/lib/action-state";
import { ServerDetailsFields } from "./server-details-fields";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  values: FormValues;
  teams: { id: string; name: string }[];
  tools: { name: string }[];
}

export function EditServerForm({ action, values, teams, tools }: Props) {
  const [state, formAction, saving] = useActionState(action, idle);
  return (
    <form action={formAction} noValidate aria-label="Edit server" className="space-y-6">
      <ServerDetailsFields
        values={state.status === "error" ? (state.values ?? {}) : values}
        errors={state.status === "error" ? state.fieldErrors : {}}
        teams={teams}
        tools={tools}
      />
      <FormMessage state={state} />
      <SubmitButton pending={saving} pendingLabel="Saving…">
        Save changes
      </SubmitButton>
    </form>
  );
}

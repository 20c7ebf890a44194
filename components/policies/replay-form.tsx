"use client";

import type { ActionState } from "@/lib/action-state";
import { valueText } from "@/lib/action-state";
import { FormMessage, SubmitButton, TextField } from "../ui/form-fields";
import { useFormAction } from "../ui/use-form-action";

export function ReplayForm({ setId, start }: { setId: string; start: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const { state, formAction, pending, errors, values } = useFormAction(start);
  return (
    <form action={formAction} aria-label="Replay" className="flex flex-wrap items-end gap-3">
      <input type="hidden" name="id" value={setId} />
      <div className="w-40">
        <TextField label="Days" name="days" type="number" min={1} inputMode="numeric" defaultValue={state.status === "error" ? valueText(values, "days") : "7"} errors={errors.days} />
      </div>
      <SubmitButton pending={pending} pendingLabel="Starting…" variant="secondary">
        Replay
      </SubmitButton>
      <div className="basis-full">
        <FormMessage state={state} />
      </div>
    </form>
  );
}

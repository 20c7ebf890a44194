"use client";

import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField } from "@/components/ui/form-fields";
import { type ActionState, idle } from "@/lib/action-state";

interface Props {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  resultCacheTtlSeconds: number;
  idempotencyWindowSeconds: number;
}

/** The owner's gateway settings of an entry (decision 035): result cache and idempotency window. */
export function HostPatternsForm({ action, resultCacheTtlSeconds, idempotencyWindowSeconds }: Props) {
  const [state, formAction, saving] = useActionState(action, idle);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const typed = state.status === "error" ? state.values : undefined;
  return (
    <form action={formAction} noValidate aria-label="Gateway caching" className="mt-6 max-w-xl space-y-4">
      <h2 className="text-lg font-semibold">Gateway caching</h2>
      <TextField
        label="Result cache TTL (seconds, 0 = off, at most 300): repeated calls of read-only, idempotent tools answered from the gateway's cache"
        name="resultCacheTtlSeconds"
        inputMode="numeric"
        defaultValue={String(typed?.resultCacheTtlSeconds ?? resultCacheTtlSeconds)}
        errors={errors.resultCacheTtlSeconds}
      />
      <TextField
        label="Idempotency window (seconds, 0 = keys refused, at most 86400): a retried call with the same key returns the first result"
        name="idempotencyWindowSeconds"
        inputMode="numeric"
        defaultValue={String(typed?.idempotencyWindowSeconds ?? idempotencyWindowSeconds)}
        errors={errors.idempotencyWindowSeconds}
      />
      <FormMessage state={state} />
      <SubmitButton pending={saving} pendingLabel="Saving…">
        Save caching
      </SubmitButton>
    </form>
  );
}

"use client";

import { useState } from "react";
import { Button, FormMessage, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";

type CreateKey = (state: ActionState<string>, form: FormData) => Promise<ActionState<string>>;

function NewKey({ apiKey }: { apiKey: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-2 rounded border border-amber-300 bg-amber-50 p-3 text-sm">
      <p className="font-medium text-amber-900">Copy this key now: it will not be shown again. Only its hash is kept.</p>
      <div className="flex flex-wrap items-center gap-2">
        <code data-testid="new-api-key" className="select-all break-all rounded bg-white px-2 py-1 font-mono">
          {apiKey}
        </code>
        <Button
          type="button"
          variant="secondary"
          onClick={() => navigator.clipboard?.writeText(apiKey).then(() => setCopied(true), () => setCopied(false))}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
    </div>
  );
}

/** Creates an API key for the agent and shows it once. */
export function CreateKeyForm({ action, agentId }: { action: CreateKey; agentId: string }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="Create API key" className="space-y-3">
      <input type="hidden" name="agentId" value={agentId} />
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Key label (optional)" name="label" placeholder="production host" defaultValue={valueText(values, "label")} errors={errors.label} />
        <TextField label="Key expires (UTC, optional)" name="expiresAt" type="datetime-local" defaultValue={valueText(values, "expiresAt")} errors={errors.expiresAt} />
      </div>
      <FormMessage state={state} />
      {state.status === "ok" && state.data && <NewKey apiKey={state.data} />}
      <Button type="submit" variant="secondary" disabled={pending}>
        Create API key
      </Button>
    </form>
  );
}

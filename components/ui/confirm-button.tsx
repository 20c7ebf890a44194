"use client";

import { useActionState, useId, useState } from "react";
import { type ActionState, idle, valueText } from "@/lib/action-state";
import { Button, FieldErrors, FormMessage } from "./form-fields";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  action: Action;
  /** Hidden fields naming what the form acts on, e.g. { issuerId }. */
  fields: Record<string, string>;
  /** The button, e.g. "Remove issuer"; the question's yes button repeats it. */
  label: string;
  question: string;
  /** What happens, said before it does. */
  consequence: string;
  /** The form's accessible name, when several of these share a region. */
  formLabel?: string;
  /** Ask for a reason (sent as `reason`) with the question, for changes that are audited with one. */
  reasonLabel?: string;
  variant?: "secondary" | "danger";
}

/** A change that asks first: the submit button is only inside the question, and refusals show here. */
export function ConfirmButton({ action, fields, label, question, consequence, formLabel, reasonLabel, variant = "danger" }: Props) {
  const [open, setOpen] = useState(false);
  // Done: the question closes, the outcome shows beside the button.
  const [state, run, pending] = useActionState(async (previous: ActionState, form: FormData) => {
    const next = await action(previous, form);
    if (next.status === "ok") setOpen(false);
    return next;
  }, idle);
  const id = useId();
  const reasonErrors = state.status === "error" ? state.fieldErrors.reason : undefined;
  return (
    <form action={run} noValidate aria-label={formLabel ?? label} className="space-y-2">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      {open ? (
        <div role="alertdialog" aria-labelledby={`${id}-question`} aria-describedby={`${id}-consequence`} className="rounded border border-red-300 bg-red-50 p-3 text-sm">
          <p id={`${id}-question`} className="font-semibold text-red-900">
            {question}
          </p>
          <p id={`${id}-consequence`} className="mt-1 text-red-900">
            {consequence}
          </p>
          {reasonLabel && (
            <div className="mt-2">
              <label className="block">
                <span className="font-medium text-slate-700">{reasonLabel}</span>
                <textarea
                  name="reason"
                  rows={2}
                  required
                  defaultValue={state.status === "error" ? valueText(state.values ?? {}, "reason") : ""}
                  aria-invalid={reasonErrors ? true : undefined}
                  aria-describedby={reasonErrors ? `${id}-reason-error` : undefined}
                  className="mt-1 block w-full rounded border border-slate-300 bg-white px-3 py-2 focus:border-indigo-500 focus:outline-none"
                />
              </label>
              <FieldErrors id={`${id}-reason-error`} errors={reasonErrors} />
            </div>
          )}
          <div className="mt-3 flex flex-wrap gap-3">
            <Button type="submit" variant={variant} disabled={pending} autoFocus={!reasonLabel}>
              Yes, {label.charAt(0).toLowerCase() + label.slice(1)}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <Button type="button" variant={variant} onClick={() => setOpen(true)}>
          {label}
        </Button>
      )}
      <FormMessage state={state} />
    </form>
  );
}

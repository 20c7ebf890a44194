"use client";

import { useActionState, useId } from "react";
import { type ActionState, idle, valueText } from "@/lib/action-state";
import { Button, FieldErrors, FormMessage, RequiredMark, RequiredNote } from "./form-fields";

type ReasonAction = (state: ActionState, form: FormData) => Promise<ActionState>;

interface ReasonButton {
  label: string;
  /** Sent as the form's `decision` field when given, so one form can offer several outcomes. */
  decision?: string;
  variant?: "primary" | "secondary" | "danger";
}

interface Props {
  action: ReasonAction;
  /** Hidden fields naming what the form acts on, e.g. { grantId }. */
  fields: Record<string, string>;
  buttons: ReasonButton[];
  /** The form's accessible name, when several of these share a region. */
  label?: string;
  reasonLabel?: string;
}

/**
 * A decision or change that always needs a reason (approve, deny, revoke). Refusals show here.
 * Several of these share a page, so the reason's error text gets its own id rather than one derived
 * from the field's name.
 */
export function ReasonForm({ action, fields, buttons, label, reasonLabel = "Reason" }: Props) {
  const [state, formAction, pending] = useActionState(action, idle);
  const errors = state.status === "error" ? state.fieldErrors.reason : undefined;
  const id = useId();
  const errorId = `${id}-reason-error`;
  return (
    <form action={formAction} noValidate aria-label={label} className="space-y-3">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <div className="text-sm">
        <div className="flex items-baseline">
          <label htmlFor={`${id}-reason`} className="font-medium text-slate-700">
            {reasonLabel}
          </label>
          <RequiredMark required />
        </div>
        <textarea
          id={`${id}-reason`}
          name="reason"
          rows={2}
          required
          defaultValue={state.status === "error" ? valueText(state.values ?? {}, "reason") : ""}
          aria-invalid={errors ? true : undefined}
          aria-describedby={errors ? errorId : undefined}
          className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none"
        />
        <FieldErrors id={errorId} errors={errors} />
        <RequiredNote />
      </div>
      <FormMessage state={state} />
      <div className="flex gap-3">
        {buttons.map((button) => (
          <Button key={button.label} type="submit" name={button.decision ? "decision" : undefined} value={button.decision} variant={button.variant} disabled={pending}>
            {button.label}
          </Button>
        ))}
      </div>
    </form>
  );
}

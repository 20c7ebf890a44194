"use client";

import { useActionState, useId } from "react";
import { type ActionState, idle, valueText } from "@/lib/action-state";
import { Button, FieldErrors, FormMessage } from "./form-fields";

type Decide = (state: ActionState, form: FormData) => Promise<ActionState>;

/**
 * An approver's decision on one promotion request: approve or deny, always with a reason. Refusals
 * (separation of duties, a request decided meanwhile) show here. Several of these share a page, so
 * the reason's error text gets its own id rather than one derived from the field's name.
 */
export function ApprovalDecisionForm({ action, promotionId }: { action: Decide; promotionId: string }) {
  const [state, formAction, pending] = useActionState(action, idle);
  const errors = state.status === "error" ? state.fieldErrors.reason : undefined;
  const errorId = `${useId()}-reason-error`;
  return (
    <form action={formAction} noValidate className="space-y-3">
      <input type="hidden" name="promotionId" value={promotionId} />
      <div className="text-sm">
        <label className="block">
          <span className="font-medium text-slate-700">Reason</span>
          <textarea
            name="reason"
            rows={2}
            required
            defaultValue={state.status === "error" ? valueText(state.values ?? {}, "reason") : ""}
            aria-invalid={errors ? true : undefined}
            aria-describedby={errors ? errorId : undefined}
            className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:border-indigo-500 focus:outline-none"
          />
        </label>
        <FieldErrors id={errorId} errors={errors} />
      </div>
      <FormMessage state={state} />
      <div className="flex gap-3">
        <Button type="submit" name="decision" value="approve" disabled={pending}>
          Approve
        </Button>
        <Button type="submit" name="decision" value="deny" variant="danger" disabled={pending}>
          Deny
        </Button>
      </div>
    </form>
  );
}

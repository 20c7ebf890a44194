"use client";

import type { ActionState } from "@/lib/action-state";
import { valueText } from "@/lib/action-state";
import type { PolicyProblem } from "@/lib/policy/policy-set";
import { FormMessage, SubmitButton, TextArea } from "../ui/form-fields";
import { useFormAction } from "../ui/use-form-action";
import { CedarEditor } from "./cedar-editor";

interface PolicySetFormProps {
  action: (state: ActionState, form: FormData) => Promise<ActionState>;
  check: (text: string) => Promise<PolicyProblem[]>;
  /** The draft being changed; absent for a new one. */
  id?: string;
  basedOnId?: string;
  text: string;
  description: string;
  problems: readonly PolicyProblem[];
}

/** A draft's text and description, saved as a draft or saved and proposed in one go. */
export function PolicySetForm({ action, check, id, basedOnId, text, description, problems }: PolicySetFormProps) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} aria-label={id ? "Edit the draft" : "New draft"} className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      {id && <input type="hidden" name="id" value={id} />}
      {basedOnId && <input type="hidden" name="basedOnId" value={basedOnId} />}
      <TextArea label="Description" name="description" rows={2} defaultValue={state.status === "error" ? valueText(values, "description") : description} errors={errors.description} />
      <CedarEditor name="text" label="Policies (Cedar)" defaultValue={text} problems={problems} check={check} />
      <FormMessage state={state} />
      <div className="flex flex-wrap gap-3">
        <SubmitButton pending={pending} pendingLabel="Saving…" variant="secondary">
          Save draft
        </SubmitButton>
        <SubmitButton pending={pending} pendingLabel="Saving…" name="then" value="propose">
          Save and propose
        </SubmitButton>
      </div>
    </form>
  );
}

"use client";

import { type ActionState, errorsUnder, valueList } from "@/lib/action-state";
import type { ToolChoice } from "@/lib/bundles/bundle-list";
import { FormMessage, SubmitButton } from "../ui/form-fields";
import { useFormAction } from "../ui/use-form-action";
import { ToolPicker, toolValue } from "./tool-picker";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** The draft's tools (or, when the latest version is submitted or decided, a new draft's, starting from it). */
export function DraftForm({ action, bundle, tools, choices, label }: { action: Action; bundle: string; tools: readonly { server: string; tool: string }[]; choices: readonly ToolChoice[]; label: string }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const checked = state.status === "error" ? valueList(values, "tools") : tools.map((ref) => toolValue(ref.server, ref.tool));
  return (
    <form action={formAction} noValidate aria-label={label} className="max-w-3xl space-y-4">
      <input type="hidden" name="bundle" value={bundle} />
      <ToolPicker choices={choices} checked={checked} errors={errorsUnder(errors, "tools")} />
      <FormMessage state={state} />
      <SubmitButton pending={pending} pendingLabel="Saving…">
        {label}
      </SubmitButton>
    </form>
  );
}

import { useActionState } from "react";
import { type ActionState, type FormValues, idle } from "@/lib/action-state";

/**
 * useActionState for a form whose server action answers with an ActionState, with what a form shows after
 * a refusal: the messages per field and what was typed (React resets the form). Both are empty until then.
 */
export function useFormAction<T>(action: (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>) {
  const [state, formAction, pending] = useActionState(action, idle as ActionState<T>);
  const errors: Record<string, string[]> = state.status === "error" ? state.fieldErrors : {};
  const values: FormValues = state.status === "error" ? (state.values ?? {}) : {};
  return { state, formAction, pending, errors, values };
}

import { DomainError, ValidationError } from "@/lib/errors";

export type ActionState<T = undefined> =
  | { status: "idle" }
  | { status: "ok"; message: string; data?: T }
  | { status: "error"; message: string; fieldErrors: Record<string, string[]>; values?: FormValues };

/** What the person typed, echoed back after a refusal so the form keeps it (React resets forms after actions). */
export type FormValues = Record<string, string | string[]>;

export function formValues(form: FormData, omit: string[] = []): FormValues {
  const values: FormValues = {};
  for (const key of new Set(form.keys())) {
    if (omit.includes(key) || key.startsWith("$ACTION")) continue;
    const all = form.getAll(key).map(String);
    values[key] = all.length > 1 || key === "roles" ? all : all[0]!;
  }
  return values;
}

export const idle: ActionState = { status: "idle" };

/** Runs a server action's work and turns domain errors into a state the form shows; other errors propagate. */
export async function toActionState<T>(
  work: () => Promise<{ message: string; data?: T }>,
  values?: FormValues,
): Promise<ActionState<T>> {
  try {
    return { status: "ok", ...(await work()) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const fieldErrors = error instanceof ValidationError ? error.fieldErrors : {};
    return { status: "error", message: error.message, fieldErrors, values };
  }
}

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
    values[key] = all.length > 1 ? all : all[0]!;
  }
  return values;
}

/** The named fields of a form as form.get gives them (null when absent), for a lib/ function to parse. */
export function formFields<Name extends string>(form: FormData, ...names: Name[]): Record<Name, FormDataEntryValue | null> {
  return Object.fromEntries(names.map((name) => [name, form.get(name)])) as Record<Name, FormDataEntryValue | null>;
}

/** A multi-valued field (checkboxes) of echoed values: one ticked box comes back as a plain string. */
export function valueList(values: FormValues, key: string): string[] {
  const value = values[key];
  return value === undefined ? [] : ([] as string[]).concat(value);
}

/** A single-valued field of echoed values, or "" when absent. */
export function valueText(values: FormValues, key: string): string {
  return valueList(values, key)[0] ?? "";
}

/** The messages for a field and everything below it, e.g. "sensitiveFields" gathers "sensitiveFields.2". */
export function errorsUnder(fieldErrors: Record<string, string[]>, field: string): string[] | undefined {
  const found = Object.entries(fieldErrors).flatMap(([key, messages]) => (key === field || key.startsWith(`${field}.`) ? messages : []));
  return found.length ? found : undefined;
}

export const idle: ActionState = { status: "idle" };

/**
 * What a refused form's alert says, given the texts its fields already show under them: the whole message when
 * no field shows any of it; otherwise only the field messages no field shows (often none), so each problem is
 * said once.
 */
export function alertMessage(refusal: { message: string; fieldErrors: Record<string, string[]> }, shown: readonly string[]): string {
  const messages = [...new Set(Object.values(refusal.fieldErrors).flat())];
  const isShown = (message: string) => shown.some((text) => text.includes(message));
  if (!messages.some(isShown)) return refusal.message;
  return messages.filter((message) => !isShown(message)).join(" ");
}

import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { hasUnsafeCharacters, safeName, safeText } from "@/lib/text/unsafe-text";

/** A text query parameter (a search, a filter): one line, trimmed, at most `max`, no control or bidi characters. */
export function queryText(label: string, max: number, typeError = `${label} must be text.`) {
  return z
    .string({ error: typeError })
    .refine((text) => !hasUnsafeCharacters(text, { singleLine: true }), `${label} must not contain control or bidirectional-override characters.`)
    .trim()
    .max(max, `${label} must be at most ${max} characters.`);
}

/** The reason a person gives for a decision (a review, an approval, a kill switch, a revocation). */
export function reasonText(max: number, min = 3) {
  return z
    .string({ error: "A reason is required." })
    .trim()
    .min(min, `A reason is required (at least ${min} characters).`)
    .max(max, `The reason must be at most ${max} characters.`)
    .pipe(safeText("The reason"));
}

/** A one-line name or title people will read: trimmed, no controls or bidi overrides. */
export function nameText(label: string, max: number, min = 1) {
  return z
    .string({ error: `${label} is required.` })
    .trim()
    .min(min, `${label} is required.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .pipe(safeName(label));
}

/** Parses input from outside with a zod schema; on failure throws a ValidationError listing every problem. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length ? issue.path.join(".") : "form";
    (fieldErrors[field] ??= []).push(issue.message);
  }
  const message = Object.values(fieldErrors).flat().join(" ");
  throw new ValidationError(message, fieldErrors);
}

import type { z } from "zod";
import { ValidationError } from "@/lib/errors";

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

import { DomainError, ValidationError } from "@/lib/errors";

export type ActionState<T = undefined> =
  | { status: "idle" }
  | { status: "ok"; message: string; data?: T }
  | { status: "error"; message: string; fieldErrors: Record<string, string[]> };

export const idle: ActionState = { status: "idle" };

/** Runs a server action's work and turns domain errors into a state the form shows; other errors propagate. */
export async function toActionState<T>(work: () => Promise<{ message: string; data?: T }>): Promise<ActionState<T>> {
  try {
    return { status: "ok", ...(await work()) };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const fieldErrors = error instanceof ValidationError ? error.fieldErrors : {};
    return { status: "error", message: error.message, fieldErrors };
  }
}

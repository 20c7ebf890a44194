import { revalidatePath } from "next/cache";
import { type ActionState, type FormValues, formValues } from "@/lib/action-state";
import { type CurrentUser, requireActor } from "@/lib/auth/session";
import { DomainError, ValidationError } from "@/lib/errors";

// The one shape of a signed-in person's server action (formbricks' action client): the actor is resolved
// first, the work calls lib/ with it, the pages showing what changed are revalidated, and an expected
// (domain) error becomes the form's error state, with what was typed echoed back. Anything else
// propagates to the error page.

/** A page to revalidate after the work succeeds: its path, or its path and "layout" for everything below it. */
export type Revalidated = string | [path: string, type: "layout" | "page"];

export interface ActorActionOptions {
  /** What the person typed (formValues(form)), echoed back after a refusal so the form keeps it. */
  values?: FormValues;
  revalidate?: Revalidated[];
}

export async function actorAction<T>(
  work: (actor: CurrentUser) => Promise<{ message: string; data?: T }>,
  options: ActorActionOptions = {},
): Promise<ActionState<T>> {
  try {
    const result = await work(await requireActor());
    for (const page of options.revalidate ?? []) {
      if (typeof page === "string") revalidatePath(page);
      else revalidatePath(...page);
    }
    return { status: "ok", ...result };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const fieldErrors = error instanceof ValidationError ? error.fieldErrors : {};
    return { status: "error", message: error.message, fieldErrors, values: options.values };
  }
}

export interface FormActionOptions {
  /** Echo what was typed after a refusal; `{ omit }` leaves out fields never sent back, such as a password. */
  echo?: boolean | { omit: string[] };
  revalidate?: Revalidated[];
}

/** A form's server action, in useActionState's (state, form) shape, doing `work` as the signed-in actor. */
export function formAction<T = undefined>(
  work: (actor: CurrentUser, form: FormData) => Promise<{ message: string; data?: T }>,
  { echo = false, revalidate }: FormActionOptions = {},
): (state: ActionState<T>, form: FormData) => Promise<ActionState<T>> {
  return async (_, form) => {
    const values = echo ? formValues(form, echo === true ? [] : echo.omit) : undefined;
    return actorAction((actor) => work(actor, form), { values, revalidate });
  };
}

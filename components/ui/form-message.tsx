"use client";

import { useEffect, useLayoutEffect, useRef, useState } from "react";
import { alertMessage } from "@/lib/action-state";

interface MessageState {
  status: string;
  message?: string;
  fieldErrors?: Record<string, string[]>;
}

/** The control to take a reader to: the first marked invalid, or the first a shown field error describes. */
function firstFieldInError(form: HTMLFormElement, shownIds: string[]): HTMLElement | null {
  const described = shownIds.map((id) => `[aria-describedby~="${CSS.escape(id)}"]`);
  const target = form.querySelector<HTMLElement>(['[aria-invalid="true"]', ...described].join(", "));
  // A group (a fieldset of checkboxes) is not focusable itself: its first control is.
  if (target?.matches("fieldset, [role=group]")) return target.querySelector<HTMLElement>("input, select, textarea, button");
  return target;
}

/**
 * How a form's action went: "ok" as a status, a refusal as an alert. After a refusal the reader is taken to
 * the first field in error, whose message under it is then read out; the alert says only what no field
 * shows (so nothing is said twice), and takes the focus itself when no field is in error.
 */
export function FormMessage({ state }: { state: MessageState }) {
  const alert = useRef<HTMLParagraphElement>(null);
  const [said, setSaid] = useState<{ state: MessageState; text: string; field: HTMLElement | null }>();
  useLayoutEffect(() => {
    if (state.status !== "error" || !alert.current) return;
    const form = alert.current.closest("form");
    const shown = form ? [...form.querySelectorAll<HTMLElement>("[data-field-error]")] : [];
    const field = form ? firstFieldInError(form, shown.map((element) => element.id)) : null;
    const text = field ? alertMessage({ message: state.message ?? "", fieldErrors: state.fieldErrors ?? {} }, shown.map((element) => element.textContent ?? "")) : (state.message ?? "");
    // The text depends on what the form shows, known only once it is on screen; this runs before it is painted.
    setSaid({ state, text, field });
  }, [state]);
  // Once the alert shows what it has to say, focus moves, once per refusal.
  useEffect(() => {
    if (said?.state === state) (said.field ?? alert.current)?.focus();
  }, [said, state]);

  if (state.status === "idle" || !state.message) return null;
  if (state.status === "ok") {
    return (
      <p role="status" className="text-sm text-emerald-700">
        {state.message}
      </p>
    );
  }
  const text = said?.state === state ? said.text : "";
  return (
    <p ref={alert} role="alert" tabIndex={-1} hidden={!text} className="text-sm text-red-700 focus:outline-none">
      {text}
    </p>
  );
}

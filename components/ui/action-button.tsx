"use client";

import { useActionState } from "react";
import type { ActionState } from "@/lib/action-state";
import { Button, FormMessage } from "./form-fields";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** One button that runs a server action with fixed hidden fields, and says how it went. */
export function ActionButton({ action, fields, label, variant = "secondary" }: { action: Action; fields: Record<string, string>; label: string; variant?: "primary" | "secondary" | "danger" }) {
  const [state, run, pending] = useActionState(action, { status: "idle" });
  return (
    <form action={run} className="inline-flex items-center gap-2">
      {Object.entries(fields).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <Button type="submit" variant={variant} disabled={pending}>
        {label}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}

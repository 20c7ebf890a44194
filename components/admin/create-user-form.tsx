"use client";

import { Button, FormMessage, RequiredNote, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueList } from "@/lib/action-state";
import type { Role } from "@/lib/auth/roles";
import { RoleCheckboxes } from "./role-checkboxes";

type CreateUser = (state: ActionState<string>, form: FormData) => Promise<ActionState<string>>;

export function CreateUserForm({ action }: { action: CreateUser }) {
  const { state, formAction, pending, errors, values: typed } = useFormAction(action);
  return (
    <form action={formAction} noValidate className="space-y-4 rounded-lg border border-slate-200 bg-white p-6" aria-label="Create user">
      <h2 className="text-lg font-semibold">Create a user</h2>
      <RequiredNote />
      <div className="grid gap-4 sm:grid-cols-3">
        <TextField label="Email" name="email" type="email" required defaultValue={typed.email} errors={errors.email} />
        <TextField label="Name" name="name" required defaultValue={typed.name} errors={errors.name} />
        <TextField
          label="Initial password (blank: generate one)"
          name="password"
          type="password"
          autoComplete="new-password"
          errors={errors.password}
        />
      </div>
      <RoleCheckboxes checked={valueList(typed, "roles") as Role[]} errors={errors.roles} required />
      <FormMessage state={state} />
      {state.status === "ok" && state.data && (
        <p className="rounded bg-amber-50 p-3 text-sm" data-testid="generated-password">
          Generated password, shown only now: <code className="font-mono">{state.data}</code>
        </p>
      )}
      <Button type="submit" disabled={pending}>
        Create user
      </Button>
    </form>
  );
}

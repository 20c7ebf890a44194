"use client";

import { Button, FormMessage, RequiredNote, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import type { ActionState } from "@/lib/action-state";

type ChangePassword = (state: ActionState, form: FormData) => Promise<ActionState>;

export function ChangePasswordForm({ action }: { action: ChangePassword }) {
  const { state, formAction, pending, errors } = useFormAction(action);
  return (
    <form action={formAction} noValidate className="max-w-md space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Change password</h2>
      <RequiredNote />
      <TextField label="Current password" name="currentPassword" type="password" required autoComplete="current-password" errors={errors.currentPassword} />
      <TextField label="New password" name="newPassword" type="password" required autoComplete="new-password" errors={errors.newPassword} />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        Change password
      </Button>
    </form>
  );
}

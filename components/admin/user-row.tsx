"use client";

import { useActionState } from "react";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button, FormMessage } from "@/components/ui/form-fields";
import { type ActionState, idle } from "@/lib/action-state";
import type { Role } from "@/lib/auth/roles";
import { RoleCheckboxes } from "./role-checkboxes";

type UserAction = (state: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  user: { id: string; email: string; name: string; roles: Role[]; disabled: boolean; teamIds: string[] };
  teams: { id: string; name: string }[];
  updateRoles: UserAction;
  updateTeams: UserAction;
  setDisabled: UserAction;
}

export function UserRow({ user, teams, updateRoles, updateTeams, setDisabled }: Props) {
  const [rolesState, rolesAction, savingRoles] = useActionState(updateRoles, idle);
  const [teamsState, teamsAction, savingTeams] = useActionState(updateTeams, idle);
  const [disabledState, disabledAction, savingDisabled] = useActionState(setDisabled, idle);
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4" data-testid={`user-${user.email}`}>
      <div className="flex items-baseline gap-3">
        <span className="font-medium">{user.name}</span>
        <span className="text-slate-600">{user.email}</span>
        {user.disabled && <span className="rounded bg-slate-200 px-2 text-xs">disabled</span>}
      </div>
      <form action={rolesAction} className="mt-3 flex flex-wrap items-end gap-4">
        <input type="hidden" name="userId" value={user.id} />
        <RoleCheckboxes checked={user.roles} />
        <Button type="submit" variant="secondary" disabled={savingRoles}>
          Save roles
        </Button>
      </form>
      {teams.length > 0 && (
        <form action={teamsAction} className="mt-3 flex flex-wrap items-end gap-4">
          <input type="hidden" name="userId" value={user.id} />
          <CheckboxGroup legend="Teams" name="teamIds" options={teams.map((team) => ({ value: team.id, label: team.name }))} checked={user.teamIds} />
          <Button type="submit" variant="secondary" disabled={savingTeams}>
            Save teams
          </Button>
        </form>
      )}
      <form action={disabledAction} className="mt-3">
        <input type="hidden" name="userId" value={user.id} />
        <input type="hidden" name="disabled" value={String(!user.disabled)} />
        <Button type="submit" variant={user.disabled ? "secondary" : "danger"} disabled={savingDisabled}>
          {user.disabled ? "Enable" : "Disable"}
        </Button>
      </form>
      <div className="mt-2 space-y-1">
        <FormMessage state={rolesState} />
        <FormMessage state={teamsState} />
        <FormMessage state={disabledState} />
      </div>
    </li>
  );
}

import type { Metadata } from "next";
import { CreateTeamForm } from "@/components/create-team-form";
import { CreateUserForm } from "@/components/create-user-form";
import { PageHeader } from "@/components/empty-state";
import { UserRow } from "@/components/user-row";
import { requirePagePermission } from "@/lib/auth/session";
import { listTeams, teamIdsOf } from "@/lib/teams/manage";
import { listUsers } from "@/lib/users/manage";
import { createTeamAction, createUserAction, setDisabledAction, setTeamsAction, updateRolesAction } from "./actions";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePagePermission("users.view");
  const [users, teams] = await Promise.all([listUsers(actor), listTeams()]);
  const teamIds = await Promise.all(users.map((user) => teamIdsOf(user.id)));
  return (
    <>
      <PageHeader title="Admin">People who sign in to Toolgate, their roles and their teams.</PageHeader>
      <CreateUserForm action={createUserAction} />
      <section className="mt-8 space-y-4 rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="teams-heading">
        <h2 id="teams-heading" className="text-lg font-semibold">
          Teams ({teams.length})
        </h2>
        <p className="text-sm text-slate-600">Teams own catalog entries; owners register and edit servers for the teams they belong to.</p>
        {teams.length > 0 && (
          <ul className="flex flex-wrap gap-2 text-sm" aria-label="Teams">
            {teams.map((team) => (
              <li key={team.id} className="rounded bg-slate-100 px-2 py-1">
                {team.name}
              </li>
            ))}
          </ul>
        )}
        <CreateTeamForm action={createTeamAction} />
      </section>
      <h2 className="mb-3 mt-8 text-lg font-semibold">Users ({users.length})</h2>
      <ul className="space-y-3">
        {users.map((user, index) => (
          <UserRow
            key={user.id}
            user={{ ...user, teamIds: teamIds[index]! }}
            teams={teams}
            updateRoles={updateRolesAction}
            updateTeams={setTeamsAction}
            setDisabled={setDisabledAction}
          />
        ))}
      </ul>
    </>
  );
}

import type { Metadata } from "next";
import { CreateTeamForm } from "@/components/admin/create-team-form";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { OutboundSection } from "@/components/admin/outbound-form";
import { PolicyForms } from "@/components/admin/policy-form";
import { UserRow } from "@/components/admin/user-row";
import { PageHeader } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { outboundEntries, outboundRule, outboundWarnings } from "@/lib/settings/outbound";
import { getPolicies } from "@/lib/settings/policy";
import { listTeams, teamIdsOf } from "@/lib/teams/manage";
import { listUsers } from "@/lib/users/manage";
import { IdentitySection } from "./identity-section";
import { createTeamAction, createUserAction, setDisabledAction, setOutboundAction, setPolicyAction, setTeamsAction, updateRolesAction } from "./actions";

export const metadata: Metadata = { title: "Admin" };

export default async function AdminPage() {
  const actor = await requirePagePermission("users.view");
  const [users, teams, policies, outbound] = await Promise.all([listUsers(actor), listTeams(), getPolicies(), outboundRule()]);
  const teamIds = await Promise.all(users.map((user) => teamIdsOf(user.id)));
  return (
    <>
      <PageHeader title="Admin">People who sign in to Toolgate, their roles and their teams, and the certification policies.</PageHeader>
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
      {can(actor, "settings.manage") && (
        <section className="mt-8 space-y-4 rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="policies-heading">
          <h2 id="policies-heading" className="text-lg font-semibold">
            Policies
          </h2>
          <p className="text-sm text-slate-600">What certification requires, what evidence uploads may weigh and who may read the registry API. Changes apply at once and are audited.</p>
          <PolicyForms action={setPolicyAction} policies={policies} />
        </section>
      )}
      {can(actor, "settings.manage") && (
        <OutboundSection
          action={setOutboundAction}
          rule={{
            source: outbound.source,
            entries: outboundEntries(outbound.allow),
            why: outbound.why,
            updatedAt: outbound.updatedAt?.toISOString(),
            warnings: outboundWarnings(outbound.allow),
          }}
        />
      )}
      {can(actor, "identity.manage") && <IdentitySection actor={actor} />}
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

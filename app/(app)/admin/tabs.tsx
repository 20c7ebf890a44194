import Link from "next/link";
import { CreateTeamForm } from "@/components/admin/create-team-form";
import { CreateUserForm } from "@/components/admin/create-user-form";
import { JobsList } from "@/components/admin/jobs-list";
import { OutboundSection } from "@/components/admin/outbound-form";
import { PolicyForms } from "@/components/admin/policy-form";
import { UserRow } from "@/components/admin/user-row";
import { RequiredNote } from "@/components/ui/form-fields";
import type { CurrentUser } from "@/lib/auth/session";
import { failingAfter, listJobs } from "@/lib/runtime/jobs";
import { outboundEntries, outboundRule, outboundWarnings } from "@/lib/settings/outbound";
import { getPolicies } from "@/lib/settings/policy";
import { listTeams, teamIdsOf } from "@/lib/teams/manage";
import { listUsers } from "@/lib/users/manage";
import { createTeamAction, createUserAction, setDisabledAction, setOutboundAction, setPolicyAction, setTeamsAction, updateRolesAction } from "./actions";

// The admin page's tabs, each loading only what it shows. The page checks who may see which tab.

const sectionClass = "space-y-4 rounded-lg border border-slate-200 bg-white p-4 sm:p-6";

/** People who sign in: a new one, then everyone with their roles and teams. */
export async function PeopleTab({ actor }: { actor: CurrentUser }) {
  const [users, teams] = await Promise.all([listUsers(actor), listTeams()]);
  const teamIds = await Promise.all(users.map((user) => teamIdsOf(user.id)));
  return (
    <>
      <CreateUserForm action={createUserAction} />
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

export async function TeamsTab() {
  const teams = await listTeams();
  return (
    <section className={sectionClass} aria-labelledby="teams-heading">
      <h2 id="teams-heading" className="text-lg font-semibold">
        Teams ({teams.length})
      </h2>
      <p className="text-sm text-slate-600">
        Teams own catalog entries; owners register and edit servers for the teams they belong to. Put people in teams on the People tab.
      </p>
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
  );
}

export async function PoliciesTab() {
  const policies = await getPolicies();
  return (
    <section className={sectionClass} aria-labelledby="policies-heading">
      <h2 id="policies-heading" className="text-lg font-semibold">
        Policies
      </h2>
      <p className="text-sm text-slate-600">
        What certification requires, what evidence uploads may weigh and who may read the registry API. Changes apply at once and are audited.
      </p>
      <p className="text-sm text-slate-600">
        Approvals by risk tier are now a policy: they are part of the active policy set, changed by proposing a new set under{" "}
        <Link href="/policies" className="text-indigo-700 underline">
          Policies
        </Link>
        .
      </p>
      <RequiredNote />
      <PolicyForms action={setPolicyAction} policies={policies} />
    </section>
  );
}

export async function OutboundTab() {
  const outbound = await outboundRule();
  return (
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
  );
}

/** The cluster's periodic jobs (decision 040): each runs once per period on whichever instance claims it. */
export async function JobsTab() {
  const jobs = await listJobs();
  const iso = (date: Date | null) => date?.toISOString() ?? null;
  return (
    <section className={sectionClass} aria-labelledby="jobs-heading">
      <h2 id="jobs-heading" className="text-lg font-semibold">
        Background jobs
      </h2>
      <p className="text-sm text-slate-600">
        Periodic work runs once per period across every Toolgate instance: one instance claims it, runs it and records the outcome. A failed run is retried sooner,
        backing off up to the period; a job that failed {failingAfter} times in a row is marked failing and logged loudly.
      </p>
      <JobsList jobs={jobs.map((job) => ({ ...job, nextRunAt: job.nextRunAt.toISOString(), lastStartedAt: iso(job.lastStartedAt), lastFinishedAt: iso(job.lastFinishedAt) }))} />
    </section>
  );
}

import type { Metadata } from "next";
import Link from "next/link";
import { EditServerForm } from "@/components/catalog/edit-server-form";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { may, teamRefusal, teamsInScope } from "@/lib/auth/access";
import { forbidPage, requirePagePermission } from "@/lib/auth/session";
import { listTeams } from "@/lib/teams/manage";
import { updateServerAction } from "../../actions";
import { detailsValues } from "../../form-data";
import { approvalToolsOf, loadEntry, loadVersion } from "../entry";

export const metadata: Metadata = { title: "Edit catalog entry" };

export default async function EditServerPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePagePermission("catalog.edit");
  const server = await loadEntry((await params).id);
  if (!(await may(user, "server.edit", server))) {
    const { action, reason } = teamRefusal("server.edit");
    await forbidPage(user, action, { type: "server", id: server.id }, reason);
  }
  const latest = server.versions[0];
  const back = (
    <Link href={`/catalog/${server.id}`} className="text-indigo-700 underline">
      Back to {server.name}
    </Link>
  );
  if (latest && latest.status !== "draft") {
    return (
      <>
        <PageHeader title={`Edit ${server.title}`}>{back}</PageHeader>
        <EmptyState>
          Version {latest.version} is {latest.status.replace("_", " ")}: import a new draft version before editing.
        </EmptyState>
      </>
    );
  }
  const [teams, editable, version] = await Promise.all([listTeams(), teamsInScope(user, "server.edit"), latest ? loadVersion(server.id, latest.version) : null]);
  return (
    <>
      <PageHeader title={`Edit ${server.title}`}>
        <span className="font-mono">{server.name}</span> · {back}
      </PageHeader>
      <EditServerForm
        action={updateServerAction.bind(null, server.id)}
        values={detailsValues(server, approvalToolsOf(server))}
        teams={teams.filter((team) => editable === "all" || editable.includes(team.id))}
        tools={version?.tools ?? []}
      />
    </>
  );
}

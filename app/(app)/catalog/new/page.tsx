import type { Metadata } from "next";
import { RegisterWizard } from "@/components/catalog/register-wizard";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/auth/session";
import { teamsInScope } from "@/lib/auth/access";
import { listTeams } from "@/lib/teams/manage";
import { previewImportAction, registerServerAction } from "../actions";

export const metadata: Metadata = { title: "Register a server" };

export default async function RegisterServerPage() {
  const user = await requirePagePermission("catalog.register");
  const [teams, registrable] = await Promise.all([listTeams(), teamsInScope(user, "server.register")]);
  const ownTeams = teams.filter((team) => registrable === "all" || registrable.includes(team.id));
  return (
    <>
      <PageHeader title="Register a server">Import an MCP server&apos;s tools from the live server, describe it, and save a draft.</PageHeader>
      {ownTeams.length === 0 ? (
        <EmptyState>You are not a member of any team yet. An administrator must add you to a team before you can register a server.</EmptyState>
      ) : (
        <RegisterWizard teams={ownTeams} previewImport={previewImportAction} register={registerServerAction} />
      )}
    </>
  );
}

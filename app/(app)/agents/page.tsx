import type { Metadata } from "next";
import { headers } from "next/headers";
import { type AgentActions, AgentCard } from "@/components/agents/agent-card";
import { CreateAgentForm } from "@/components/agents/agent-create-form";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { listAgents } from "@/lib/agents/agents";
import { grantableServers } from "@/lib/agents/grants";
import { teamsInScope } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { connectionGuide } from "@/lib/gateway/agent-connection";
import { publicBase } from "@/lib/net/public-origin";
import { listTeams } from "@/lib/teams/manage";
import { createAgentAction, createApiKeyAction, grantAccessAction, previewAgentToolsAction, revokeApiKeyAction, revokeGrantAction, setAgentDisabledAction } from "./actions";

export const metadata: Metadata = { title: "Agents" };

const actions: AgentActions = {
  setDisabled: setAgentDisabledAction,
  createKey: createApiKeyAction,
  revokeKey: revokeApiKeyAction,
  grant: grantAccessAction,
  revokeGrant: revokeGrantAction,
};

export default async function AgentsPage() {
  const user = await requirePagePermission("agents.view");
  const mayManage = can(user, "agents.manage");
  const [agents, allTeams, manageable, servers] = await Promise.all([listAgents(user), listTeams(), teamsInScope(user, "agent.manage"), grantableServers()]);
  const teams = manageable === "all" ? allTeams : allTeams.filter((team) => manageable.includes(team.id));
  const now = new Date();
  const base = publicBase(`http://${(await headers()).get("host") ?? "localhost"}`);
  return (
    <>
      <PageHeader title="Agents">AI applications that call tools through the gateway, their API keys and the servers they may use.</PageHeader>
      {mayManage &&
        (teams.length > 0 ? (
          <CreateAgentForm action={createAgentAction} teams={teams} />
        ) : (
          <p className="rounded border border-slate-200 bg-slate-50 p-3 text-sm text-slate-700">Agents belong to a team; ask an administrator to add you to one.</p>
        ))}
      <section aria-label="Agents" className="mt-8 space-y-6">
        {agents.length === 0 ? (
          <EmptyState>No agents yet.</EmptyState>
        ) : (
          agents.map((agent) => <AgentCard key={agent.id} agent={agent} servers={servers} actions={mayManage ? actions : undefined} now={now} connect={{ guide: connectionGuide(base, agent.name), previewTools: previewAgentToolsAction }} />)
        )}
      </section>
    </>
  );
}

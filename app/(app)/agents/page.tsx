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
import { boundIssuersOf, tokenBindingsOf } from "@/lib/identity/bindings";
import { listIssuers } from "@/lib/identity/issuers";
import { publicBase } from "@/lib/net/public-origin";
import { listTeams } from "@/lib/teams/manage";
import type { AgentIdentity } from "@/components/agents/agent-bindings";
import type { AgentView } from "@/lib/agents/agents";
import type { CurrentUser } from "@/lib/auth/session";
import { bindTokenSubjectAction, createAgentAction, createApiKeyAction, grantAccessAction, previewAgentToolsAction, revokeApiKeyAction, revokeGrantAction, setAgentDisabledAction, setAgentToolDiscoveryAction, unbindTokenSubjectAction } from "./actions";

export const metadata: Metadata = { title: "Agents" };

const actions: AgentActions = {
  setDisabled: setAgentDisabledAction,
  setToolDiscovery: setAgentToolDiscoveryAction,
  createKey: createApiKeyAction,
  revokeKey: revokeApiKeyAction,
  grant: grantAccessAction,
  revokeGrant: revokeGrantAction,
};

/** Each agent's token bindings and the issuers to bind to, for someone who manages identity. */
async function identities(user: CurrentUser, agents: AgentView[]): Promise<Map<string, AgentIdentity>> {
  if (!can(user, "identity.manage")) return new Map();
  const issuers = (await listIssuers(user)).map(({ id, issuer, displayName, enabled }) => ({ id, issuer, displayName, enabled }));
  const bindings = await Promise.all(agents.map((agent) => tokenBindingsOf(user, { agentId: agent.id })));
  return new Map(agents.map((agent, index) => [agent.id, { bindings: bindings[index]!, issuers, bind: bindTokenSubjectAction, unbind: unbindTokenSubjectAction }]));
}

export default async function AgentsPage() {
  const user = await requirePagePermission("agents.view");
  const mayManage = can(user, "agents.manage");
  const [agents, allTeams, manageable, servers] = await Promise.all([listAgents(user), listTeams(), teamsInScope(user, "agent.manage"), grantableServers()]);
  const teams = manageable === "all" ? allTeams : allTeams.filter((team) => manageable.includes(team.id));
  // The guide's OAuth way, for anyone who may see the agent; managing bindings is for administrators.
  const [identity, bound] = await Promise.all([identities(user, agents), Promise.all(agents.map((agent) => boundIssuersOf(user, { agentId: agent.id })))]);
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
          agents.map((agent) => (
            <AgentCard
              key={agent.id}
              agent={agent}
              servers={servers}
              actions={mayManage ? actions : undefined}
              identity={identity.get(agent.id)}
              now={now}
              connect={{ guide: connectionGuide(base, agent.name, bound[agents.indexOf(agent)]), previewTools: previewAgentToolsAction }}
            />
          ))
        )}
      </section>
    </>
  );
}

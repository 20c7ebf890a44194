import Link from "next/link";
import { ActionButton } from "@/components/ui/action-button";
import { Badge, RiskBadge, type Tone } from "@/components/ui/badges";
import { DescriptionList } from "@/components/ui/description-list";
import { ReasonForm } from "@/components/ui/reason-form";
import { Cell, Table } from "@/components/ui/table";
import type { ActionState } from "@/lib/action-state";
import type { AgentView } from "@/lib/agents/agents";
import type { ConnectionGuide } from "@/lib/gateway/agent-connection";
import { type AgentIdentity, AgentBindings } from "./agent-bindings";
import { AgentConnect } from "./agent-connect";
import { CreateKeyForm } from "./agent-key-form";
import { GrantAccessForm } from "./agent-grant-form";
import { ToolDiscoveryForm } from "./agent-tool-discovery-form";

type Act<T = undefined> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;
type PreviewTools = Act<string[]>;

export interface AgentActions {
  setDisabled: Act;
  setToolDiscovery: Act;
  createKey: Act<string>;
  revokeKey: Act;
  grant: Act;
  revokeGrant: Act;
}

interface Props {
  agent: AgentView;
  /** How hosts connect it, and the page's "Test connection". */
  connect: { guide: ConnectionGuide; previewTools: PreviewTools };
  servers: { id: string; name: string; riskTier: string | null }[];
  /** Without actions the card only shows the agent. */
  actions?: AgentActions;
  /** Its token bindings and the forms to change them, for those who manage identity. */
  identity?: AgentIdentity;
  now: Date;
}

const utc = (date: Date | null, none: string) => (date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : none);

function keyState(key: AgentView["keys"][number], now: Date): [string, Tone] {
  if (key.revokedAt) return ["revoked", "bad"];
  if (key.expiresAt && key.expiresAt <= now) return ["expired", "neutral"];
  return ["active", "good"];
}

function grantState(grant: AgentView["grants"][number], now: Date): [string, Tone] {
  if (grant.status === "active" && grant.expiresAt && grant.expiresAt <= now) return ["expired", "neutral"];
  const tones: Record<string, Tone> = { active: "good", pending: "warn", denied: "bad", revoked: "neutral" };
  return [grant.status, tones[grant.status] ?? "neutral"];
}

function Keys({ agent, actions, now }: Omit<Props, "servers" | "connect" | "identity">) {
  if (agent.keys.length === 0) return <p className="text-sm text-slate-600">No API keys yet.</p>;
  return (
    <Table label={`API keys of ${agent.name}`} headings={["Key", "Label", "Expires", "Last used", "Status", ...(actions ? [""] : [])]}>
      {agent.keys.map((key) => {
        const [state, tone] = keyState(key, now);
        return (
          <tr key={key.id} className="border-b border-slate-100">
            <Cell className="align-top font-mono">tgk_{key.prefix}_…</Cell>
            <Cell className="align-top">{key.label}</Cell>
            <Cell className="align-top">{utc(key.expiresAt, "never")}</Cell>
            <Cell className="align-top">{utc(key.lastUsedAt, "never")}</Cell>
            <Cell className="align-top">
              <Badge tone={tone}>{state}</Badge>
              {key.revokedAt && <span className="ml-2 text-slate-600">{utc(key.revokedAt, "")}</span>}
            </Cell>
            {actions && (
              <Cell className="align-top">
                {!key.revokedAt && (
                  <ReasonForm action={actions.revokeKey} fields={{ keyId: key.id }} label={`Revoke key ${key.prefix}`} reasonLabel="Reason for revoking" buttons={[{ label: "Revoke key", variant: "danger" }]} />
                )}
              </Cell>
            )}
          </tr>
        );
      })}
    </Table>
  );
}

function Grants({ agent, actions, now }: Omit<Props, "servers" | "connect" | "identity">) {
  if (agent.grants.length === 0) return <p className="text-sm text-slate-600">No grants yet: this agent can use no server.</p>;
  return (
    <Table label={`Grants of ${agent.name}`} headings={["Server", "Risk", "Tools", "Until", "Status", ...(actions ? [""] : [])]}>
      {agent.grants.map((grant) => {
        const [state, tone] = grantState(grant, now);
        const open = grant.status === "pending" || grant.status === "active";
        return (
          <tr key={grant.id} className="border-b border-slate-100">
            <Cell className="align-top">
              <Link href={`/catalog/${grant.server.id}`} className="text-indigo-700 hover:underline">
                {grant.server.name}
              </Link>
            </Cell>
            <Cell className="align-top">
              <RiskBadge tier={grant.server.riskTier} />
            </Cell>
            <Cell className="align-top font-mono">{grant.tools.length ? grant.tools.join(", ") : "all tools"}</Cell>
            <Cell className="align-top">{utc(grant.expiresAt, "no end")}</Cell>
            <Cell className="align-top">
              <Badge tone={tone}>{state}</Badge>
              {grant.decisionReason && <p className="mt-1 text-slate-600">{grant.decisionReason}</p>}
            </Cell>
            {actions && (
              <Cell className="align-top">
                {open && (
                  <ReasonForm
                    action={actions.revokeGrant}
                    fields={{ grantId: grant.id }}
                    label={`Revoke access to ${grant.server.name}`}
                    reasonLabel="Reason for revoking"
                    buttons={[{ label: "Revoke access", variant: "danger" }]}
                  />
                )}
              </Cell>
            )}
          </tr>
        );
      })}
    </Table>
  );
}

/** One agent: who owns it, where it runs, its keys and its grants, with the forms to change them. */
export function AgentCard({ agent, servers, actions, identity, now, connect }: Props) {
  return (
    <article aria-label={`Agent ${agent.name}`} className="space-y-5 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="flex flex-wrap items-baseline gap-2 text-lg font-semibold">
        <span className="font-mono">{agent.name}</span>
        <Badge tone="info">{agent.environment}</Badge>
        {agent.disabled && <Badge tone="bad">disabled</Badge>}
      </h2>
      <DescriptionList
        items={[
          ["Team", agent.teamName],
          ["Environment", agent.environment],
          ["Description", agent.description],
          ["Created", utc(agent.createdAt, "")],
          ["Tool discovery", agent.toolDiscovery === "search" ? "search (meta-tools)" : "all tools"],
        ]}
      />
      {actions && <ToolDiscoveryForm action={actions.setToolDiscovery} agentId={agent.id} current={agent.toolDiscovery} />}
      {actions && (
        <ActionButton
          action={actions.setDisabled}
          fields={{ agentId: agent.id, disabled: String(!agent.disabled) }}
          label={agent.disabled ? "Enable agent" : "Disable agent"}
          variant={agent.disabled ? "secondary" : "danger"}
        />
      )}
      <section className="space-y-3">
        <h3 className="font-semibold">API keys</h3>
        <Keys agent={agent} actions={actions} now={now} />
        {actions && <CreateKeyForm action={actions.createKey} agentId={agent.id} />}
      </section>
      <section className="space-y-3">
        <h3 className="font-semibold">Grants</h3>
        <Grants agent={agent} actions={actions} now={now} />
        {actions && <GrantAccessForm action={actions.grant} agentId={agent.id} servers={servers} />}
      </section>
      {identity && (
        <section className="space-y-3">
          <h3 className="font-semibold">Identity provider clients</h3>
          <AgentBindings agentId={agent.id} agentName={agent.name} identity={identity} />
        </section>
      )}
      <AgentConnect guide={connect.guide} agentId={agent.id} previewTools={connect.previewTools} />
    </article>
  );
}

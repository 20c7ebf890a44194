import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { OnBehalfOf } from "@/lib/agents/keys";
import type { DataClassification, Environment, RiskTier } from "@/lib/generated/prisma/client";

// What a decision knows, as Cedar entities and context (./schema.ts). The gateway builds these from
// the agent's identity and the resolved tool it already caches; here they are plain facts, so the
// engine, its tests and a replay of audited calls need no database.

export interface PolicyAgent {
  agentId: string;
  name: string;
  teamId: string;
  environment: Environment;
  scopes: readonly string[];
  onBehalfOf?: OnBehalfOf | null;
}

export interface PolicyTool {
  serverId: string;
  serverName: string;
  versionId: string;
  version: string;
  toolName: string;
  riskTier: RiskTier | null;
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
  dataClassification: DataClassification;
  certified: boolean;
  /** The reviewer's per-tool approval mark (the version's approvalTools). */
  reviewerRequiresApproval: boolean;
  /** The entry's per-environment approval tools, as the environments that name this tool. */
  approvalEnvironments: readonly Environment[];
}

export interface CallFacts {
  /** When the call is decided; hour and day are read in UTC so a policy means the same on every instance. */
  at: Date;
  clientAddress?: string | null;
  /** The call's arguments; their top-level scalars become tags a policy may read. */
  arguments?: Record<string, unknown>;
}

const uid = (type: string, id: string) => ({ type: `Toolgate::${type}`, id });

/** The agent; built once per agent and reused for every decision. */
export function agentEntities(agent: PolicyAgent): cedar.EntityJson[] {
  const user = agent.onBehalfOf;
  return [
    {
      uid: uid("Agent", agent.agentId),
      attrs: {
        name: agent.name,
        team: agent.teamId,
        environment: agent.environment,
        scopes: [...agent.scopes],
        ...(user ? { user: { issuer: user.issuer, subject: user.subject, ...(user.name === null ? {} : { name: user.name }) } } : {}),
      },
      // The team needs no entity of its own: `principal in Team::"…"` reads only the agent's parents,
      // and every entity crossing into Cedar costs tens of µs.
      parents: [uid("Team", agent.teamId)],
    },
  ];
}

/** The tool; built once per resolved tool and reused for every decision. */
export function toolEntities(tool: PolicyTool): cedar.EntityJson[] {
  return [
    {
      uid: uid("Tool", `${tool.versionId}/${tool.toolName}`),
      attrs: {
        server: tool.serverName,
        version: tool.version,
        name: tool.toolName,
        ...(tool.riskTier === null ? {} : { riskTier: tool.riskTier }),
        readOnly: tool.readOnly,
        destructive: tool.destructive,
        idempotent: tool.idempotent,
        openWorld: tool.openWorld,
        dataClassification: tool.dataClassification,
        certified: tool.certified,
        reviewerRequiresApproval: tool.reviewerRequiresApproval,
        approvalEnvironments: [...tool.approvalEnvironments],
      },
      parents: [uid("Server", tool.serverId)],
    },
  ];
}

export const agentUid = (agent: PolicyAgent) => uid("Agent", agent.agentId);
export const toolUid = (tool: PolicyTool) => uid("Tool", `${tool.versionId}/${tool.toolName}`);
export const actionUid = (action: string) => uid("Action", action);
const argumentsUid = uid("Arguments", "call");

/** Top-level strings, numbers and booleans as text; nested values are left out rather than guessed at. */
function argumentTags(args: Record<string, unknown> | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [name, value] of Object.entries(args ?? {})) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") tags[name] = String(value);
  }
  return tags;
}

/** The call's own entity (its arguments) and its context. */
export function callContext(agent: PolicyAgent, call: CallFacts): { entity: cedar.EntityJson; context: cedar.Context } {
  return {
    entity: { uid: argumentsUid, attrs: {}, parents: [], tags: argumentTags(call.arguments) },
    context: {
      environment: agent.environment,
      hourOfDay: call.at.getUTCHours(),
      dayOfWeek: call.at.getUTCDay(),
      scopes: [...agent.scopes],
      arguments: { __entity: argumentsUid },
      ...(call.clientAddress ? { clientAddress: { __extn: { fn: "ip", arg: call.clientAddress } } } : {}),
    },
  };
}

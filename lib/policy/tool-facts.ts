import { z } from "zod";
import { environments } from "@/lib/catalog/schemas";
import type { DataClassification, Environment, Prisma, RiskTier, VersionStatus } from "@/lib/generated/prisma/client";
import type { OnBehalfOf } from "@/lib/agents/keys";
import type { PolicyAgent, PolicyTool } from "./entities";

// A tool's policy facts from its catalog rows: one builder for the gateway's view
// (lib/gateway/resolution.ts), the replay of audited calls (./replay.ts) and the "why" answer
// (./explain.ts), so the three can never read a tool differently. An agent's facts from its row, for
// the two that have no credential to read scopes from.

export interface PolicyServerRow {
  id: string;
  name: string;
  classification: DataClassification;
  /** The entry's per-environment approval tools: `{ prod: ["delete_contact"] }`. */
  approvalTools: Prisma.JsonValue;
}

export interface PolicyVersionRow {
  id: string;
  version: string;
  status: VersionStatus;
  riskTier: RiskTier | null;
  /** The tools the reviewer marked as needing approval for each call. */
  approvalTools: string[];
}

export interface PolicyToolRow {
  name: string;
  annotations: Prisma.JsonValue | null;
}

const perEnvironmentApprovals = z.partialRecord(z.enum(environments), z.array(z.string()));

/** The environments whose entry asks approval for this tool. */
function approvalEnvironmentsOf(approvalTools: Prisma.JsonValue, toolName: string): Environment[] {
  const parsed = perEnvironmentApprovals.safeParse(approvalTools);
  if (!parsed.success) return [];
  return environments.filter((environment) => parsed.data[environment]?.includes(toolName));
}

const hint = (annotations: Prisma.JsonValue | null, name: string) =>
  annotations !== null && typeof annotations === "object" && !Array.isArray(annotations) && annotations[name] === true;

export function policyToolOf(server: PolicyServerRow, version: PolicyVersionRow, tool: PolicyToolRow): PolicyTool {
  return {
    serverId: server.id,
    serverName: server.name,
    versionId: version.id,
    version: version.version,
    toolName: tool.name,
    riskTier: version.riskTier,
    readOnly: hint(tool.annotations, "readOnlyHint"),
    destructive: hint(tool.annotations, "destructiveHint"),
    idempotent: hint(tool.annotations, "idempotentHint"),
    openWorld: hint(tool.annotations, "openWorldHint"),
    dataClassification: server.classification,
    certified: version.status === "certified",
    reviewerRequiresApproval: version.approvalTools.includes(tool.name),
    approvalEnvironments: approvalEnvironmentsOf(server.approvalTools, tool.name),
  };
}

/** An agent's facts without a credential: no scopes (they come with a key or token), and the user it acted for when known. */
export function policyAgentOfRow(agent: { id: string; name: string; teamId: string; environment: Environment }, onBehalfOf: OnBehalfOf | null = null): PolicyAgent {
  return { agentId: agent.id, name: agent.name, teamId: agent.teamId, environment: agent.environment, scopes: [], onBehalfOf };
}

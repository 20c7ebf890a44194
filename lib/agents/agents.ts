import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { authorizeOwned, teamsInScope } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { governingRiskTiers } from "@/lib/catalog/risk";
import { environments } from "@/lib/catalog/schemas";
import { db } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { NotFoundError } from "@/lib/errors";
import { teamNamesById } from "@/lib/teams/manage";
import { safeText } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";
import { managedAgent } from "./managed";
import { agentNameSchema, toolDiscoveryModes } from "./schemas";

// Agents are host identities, one per AI application and environment, owned by a team. Their keys
// and grants live in keys.ts and grants.ts.

const createAgentInput = z.object({
  name: agentNameSchema,
  description: z.preprocess((value) => value ?? "", z.string({ error: "The description must be text." }).trim().max(2000, "The description must be at most 2000 characters.").pipe(safeText("The description"))),
  teamId: z.uuid({ error: "Choose the owning team." }),
  environment: z.enum(environments, { error: "Environment must be dev, staging or prod." }),
});

const setDisabledInput = z.object({
  agentId: z.uuid({ error: "Unknown agent." }),
  disabled: z.boolean({ error: "Say whether the agent is disabled." }),
});

const setToolDiscoveryInput = z.object({
  agentId: z.uuid({ error: "Unknown agent." }),
  toolDiscovery: z.enum(toolDiscoveryModes, { error: 'Tool discovery must be "all" or "search".' }),
});

export async function createAgent(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const data = parseInput(createAgentInput, input);
  await authorizeOwned(actor, "agent.manage", { teamId: data.teamId }, { type: "agent" });
  if (!(await db().team.count({ where: { id: data.teamId } }))) throw new NotFoundError("That team does not exist.");
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const agent = await tx.agent.create({ data: { ...data, createdById: actor.id }, select: { id: true, name: true } });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "agent.create",
        target: { type: "agent", id: agent.id },
        outcome: "success",
        details: { name: data.name, teamId: data.teamId, environment: data.environment },
      });
      return agent;
    }),
    `An agent named ${data.name} already exists.`,
  );
}

/** Disables an agent (its keys stop working at once) or enables it again. */
export async function setAgentDisabled(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const { agentId, disabled } = parseInput(setDisabledInput, input);
  const agent = await managedAgent(actor, agentId);
  return db().$transaction(async (tx) => {
    const updated = await tx.agent.update({ where: { id: agent.id }, data: { disabled }, select: { id: true, name: true, disabled: true } });
    await recordAudit(tx, { actor: personActor(actor), action: disabled ? "agent.disable" : "agent.enable", target: { type: "agent", id: agent.id }, outcome: "success" });
    return updated;
  });
}

/**
 * What the agent's tools/list shows (decision 034): every tool it may use ("all"), or the three discovery
 * meta-tools ("search"). The agents trigger drops the gateway's cached views, so the next request sees it.
 */
export async function setAgentToolDiscovery(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const { agentId, toolDiscovery } = parseInput(setToolDiscoveryInput, input);
  const agent = await managedAgent(actor, agentId);
  return db().$transaction(async (tx) => {
    const before = await tx.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { toolDiscovery: true } });
    const updated = await tx.agent.update({ where: { id: agent.id }, data: { toolDiscovery }, select: { id: true, name: true, toolDiscovery: true } });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "agent.tool-discovery",
      target: { type: "agent", id: agent.id },
      outcome: "success",
      details: { from: before.toolDiscovery, to: toolDiscovery },
    });
    return updated;
  });
}

/** The agents the actor may see (administrators: all; owners: their teams'), with keys (never hashes) and grants. */
export async function listAgents(actor: Actor) {
  await guard(actor, "agents.view", { type: "agent" });
  const teamIds = await teamsInScope(actor, "agent.view");
  const agents = await db().agent.findMany({
    where: teamIds === "all" ? {} : { teamId: { in: teamIds } },
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      description: true,
      teamId: true,
      environment: true,
      disabled: true,
      toolDiscovery: true,
      createdAt: true,
      keys: {
        orderBy: { createdAt: "desc" },
        select: { id: true, prefix: true, label: true, expiresAt: true, revokedAt: true, lastUsedAt: true, createdAt: true },
      },
      grants: {
        orderBy: { requestedAt: "desc" },
        take: 50,
        select: { id: true, tools: true, expiresAt: true, status: true, requestedAt: true, decisionReason: true, server: { select: { id: true, name: true } } },
      },
    },
  });
  const teamName = await teamNamesById(agents.map((agent) => agent.teamId));
  // The tier shown beside a grant is the one that governed it (the reviewers'), not the entry's own.
  const tier = await governingRiskTiers(agents.flatMap((agent) => agent.grants.map((grant) => grant.server.id)));
  return agents.map((agent) => ({
    ...agent,
    grants: agent.grants.map((grant) => ({ ...grant, server: { ...grant.server, riskTier: tier.get(grant.server.id) ?? null } })),
    teamName: teamName.get(agent.teamId) ?? "unknown team",
  }));
}

export type AgentView = Awaited<ReturnType<typeof listAgents>>[number];

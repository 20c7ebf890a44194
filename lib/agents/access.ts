import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { teamIdsOf } from "@/lib/teams/manage";

// Who may manage an agent, its keys and its grants: administrators for any team, owners for the teams
// they belong to. Refusals leave a "denied" audit event like every other.

/** Refuses unless the actor may manage agents of this team. */
export async function authorizeAgentTeam(actor: Actor, teamId: string, target: { type: "agent"; id?: string }): Promise<void> {
  await guard(actor, "agents.manage", target);
  if (actor.roles.includes("admin") || (await teamIdsOf(actor.id)).includes(teamId)) return;
  await refuse(actor, "agents.manage", target, "not a member of the agent's team", "Only administrators and members of the agent's team can manage this agent.");
}

/** The agent, once the actor is known to be allowed to manage it. */
export async function managedAgent(actor: Actor, agentId: string) {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true, name: true, teamId: true, environment: true, disabled: true } });
  return (await managedPart(actor, agent && { agent }, "That agent does not exist.")).agent;
}

/** Something of an agent's (a key, a grant), once it exists and the actor may manage that agent. */
export async function managedPart<T extends { agent: { id: string; teamId: string } }>(actor: Actor, part: T | null, missing: string): Promise<T> {
  if (!part) throw new NotFoundError(missing);
  await authorizeAgentTeam(actor, part.agent.teamId, { type: "agent", id: part.agent.id });
  return part;
}

/** The teams whose agents the actor sees: every team for administrators, else their own. */
export async function visibleTeamIds(actor: Actor): Promise<string[] | "all"> {
  return actor.roles.includes("admin") ? "all" : teamIdsOf(actor.id);
}

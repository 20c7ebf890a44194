import { authorizeOwned } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";

// Loading an agent, or something of an agent's, for a change: who may make it is the "agent.manage" rule
// of lib/auth/access.ts (administrators for any team, owners for the teams they belong to).

/** The agent, once the actor is known to be allowed to manage it. */
export async function managedAgent(actor: Actor, agentId: string) {
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true, name: true, teamId: true, environment: true, disabled: true } });
  return (await managedPart(actor, agent && { agent }, "That agent does not exist.")).agent;
}

/** Something of an agent's (a key, a grant), once it exists and the actor may manage that agent. */
export async function managedPart<T extends { agent: { id: string; teamId: string } }>(actor: Actor, part: T | null, missing: string): Promise<T> {
  if (!part) throw new NotFoundError(missing);
  await authorizeOwned(actor, "agent.manage", part.agent, { type: "agent", id: part.agent.id });
  return part;
}

import type { RefusalAction } from "@/lib/audit/actions";
import { refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";

/** The servers a person owns: as a named owner or as a member of the owning team. */
export const ownedServersWhere = (personId: string) => ({
  OR: [{ owners: { some: { userId: personId } } }, { team: { members: { some: { userId: personId } } } }],
});

/** Whether the person owns the server: a named owner or a member of its owning team. */
export async function ownsServer(personId: string, serverId: string): Promise<boolean> {
  return (await db().server.count({ where: { id: serverId, ...ownedServersWhere(personId) } })) > 0;
}

/** Audits a separation-of-duties refusal, then throws it as a ForbiddenError with the message. */
export async function refuseForSeparationOfDuties(actor: Actor, action: RefusalAction, target: { type: string; id: string }, reason: string, message: string): Promise<never> {
  return refuse(actor, action, target, `separation of duties: ${reason}`, message);
}

/** Separation of duties: nobody reviews, certifies or approves a server they own. Refusals are audited. */
export async function assertNotOwner(actor: Actor, serverId: string, action: RefusalAction): Promise<void> {
  if (!(await ownsServer(actor.id, serverId))) return;
  await refuseForSeparationOfDuties(
    actor,
    action,
    { type: "server", id: serverId },
    "owner of the server",
    "Separation of duties: you own this server, so you cannot review, certify or approve it.",
  );
}

import { personActor, recordAudit } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";

/** The servers a person owns: as a named owner or as a member of the owning team. */
export const ownedServersWhere = (personId: string) => ({
  OR: [{ owners: { some: { userId: personId } } }, { team: { members: { some: { userId: personId } } } }],
});

/** Whether the person owns the server: a named owner or a member of its owning team. */
export async function ownsServer(personId: string, serverId: string): Promise<boolean> {
  return (await db().server.count({ where: { id: serverId, ...ownedServersWhere(personId) } })) > 0;
}

/** Audits a separation-of-duties refusal, then throws it as a ForbiddenError with the message. */
export async function refuseForSeparationOfDuties(actor: Actor, action: string, target: { type: string; id: string }, reason: string, message: string): Promise<never> {
  await recordAudit(db(), { actor: personActor(actor), action, target, outcome: "denied", reason: `separation of duties: ${reason}` });
  throw new ForbiddenError(message);
}

/** Separation of duties: nobody reviews, certifies or approves a server they own. Refusals are audited. */
export async function assertNotOwner(actor: Actor, serverId: string, action: string): Promise<void> {
  if (!(await ownsServer(actor.id, serverId))) return;
  await refuseForSeparationOfDuties(
    actor,
    action,
    { type: "server", id: serverId },
    "owner of the server",
    "Separation of duties: you own this server, so you cannot review, certify or approve it.",
  );
}

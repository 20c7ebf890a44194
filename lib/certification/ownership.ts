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

/** Separation of duties: nobody reviews, certifies or approves a server they own. Refusals are audited. */
export async function assertNotOwner(actor: Actor, serverId: string, action: string): Promise<void> {
  if (!(await ownsServer(actor.id, serverId))) return;
  await recordAudit(db(), {
    actor: personActor(actor),
    action,
    target: { type: "server", id: serverId },
    outcome: "denied",
    reason: "separation of duties: owner of the server",
  });
  throw new ForbiddenError("Separation of duties: you own this server, so you cannot review, certify or approve it.");
}

import { authorizeOwned } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";

// Loading a catalog entry for a change by its owners: it must exist, and the actor must pass the
// "server.edit" rule of lib/auth/access.ts for the team that owns it.

/** The entry's selected fields (teamId among them), once the actor may edit it. */
export async function ownedEntry<S extends Prisma.ServerSelect & { teamId: true }>(actor: Actor, serverId: string, select: S) {
  const server = await db().server.findUnique({ where: { id: serverId }, select });
  if (!server) throw new NotFoundError("That catalog entry does not exist.");
  // S selects teamId, which TypeScript cannot see through Prisma's generic result type.
  const { teamId } = server as unknown as { teamId: string };
  await authorizeOwned(actor, "server.edit", { teamId }, { type: "server", id: serverId });
  return server;
}

import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { teamIdsOf } from "@/lib/teams/manage";

type CatalogChange = "catalog.register" | "catalog.edit";

/**
 * The check for changing a catalog entry: the role (via the authorization module) and membership of
 * the owning team. Refusals are audited like every other denied action.
 */
export async function authorizeTeamChange(actor: Actor, action: CatalogChange, teamId: string, target: { type: string; id?: string }) {
  await guard(actor, action, target);
  if ((await teamIdsOf(actor.id)).includes(teamId)) return;
  await recordAudit(db(), { actor: personActor(actor), action, target, outcome: "denied", reason: "not a member of the owning team" });
  throw new ForbiddenError("Only members of the owning team can change this catalog entry.");
}

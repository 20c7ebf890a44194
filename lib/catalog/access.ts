import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { teamIdsOf } from "@/lib/teams/manage";

type CatalogChange = "catalog.register" | "catalog.edit";

/**
 * The check for changing a catalog entry: the role (via the authorization module) and membership of
 * the owning team. Refusals are audited like every other denied action.
 */
export async function authorizeTeamChange(actor: Actor, action: CatalogChange, teamId: string, target: { type: string; id?: string }) {
  await guard(actor, action, target);
  if ((await teamIdsOf(actor.id)).includes(teamId)) return;
  await refuse(actor, action, target, "not a member of the owning team", "Only members of the owning team can change this catalog entry.");
}

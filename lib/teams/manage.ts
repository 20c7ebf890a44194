import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { NotFoundError } from "@/lib/errors";
import { safeName } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";

const teamNameSchema = z
  .string({ error: "Team name is required." })
  .trim()
  .min(1, "Team name is required.")
  .max(100, "Team name must be at most 100 characters.")
  .regex(/^[\p{L}\p{N} ._&-]+$/u, "Team name may contain letters, digits, spaces and . _ & - only.")
  .pipe(safeName("Team name"));

const createTeamInput = z.object({ name: teamNameSchema });
const setUserTeamsInput = z.object({
  userId: z.uuid({ error: "Unknown user." }),
  teamIds: z.array(z.uuid({ error: "Unknown team." }), { error: "Teams must be a list." }).max(100),
});

/** Every team, for pickers and filters; names are not secret to signed-in people. */
export function listTeams() {
  return db().team.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
}

/** The names of these teams by id, in one query. */
export async function teamNamesById(ids: string[]): Promise<Map<string, string>> {
  const teams = ids.length ? await db().team.findMany({ where: { id: { in: [...new Set(ids)] } }, select: { id: true, name: true } }) : [];
  return new Map(teams.map((team) => [team.id, team.name]));
}

/** The ids of the teams this person belongs to. */
export async function teamIdsOf(userId: string): Promise<string[]> {
  const rows = await db().teamMember.findMany({ where: { userId }, select: { teamId: true } });
  return rows.map((row) => row.teamId);
}

export async function createTeam(actor: Actor, input: unknown) {
  await guard(actor, "teams.manage", { type: "team" });
  const { name } = parseInput(createTeamInput, input);
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const team = await tx.team.create({ data: { name }, select: { id: true, name: true } });
      await recordAudit(tx, { actor: personActor(actor), action: "team.create", target: { type: "team", id: team.id }, outcome: "success", details: { name } });
      return team;
    }),
    `A team named ${name} already exists.`,
  );
}

/** Replaces the teams a person belongs to. */
export async function setUserTeams(actor: Actor, input: unknown) {
  await guard(actor, "teams.manage", { type: "user" });
  const { userId, teamIds } = parseInput(setUserTeamsInput, input);
  return db().$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, email: true } });
    if (!user) throw new NotFoundError("That user does not exist.");
    const known = await tx.team.count({ where: { id: { in: teamIds } } });
    if (known !== new Set(teamIds).size) throw new NotFoundError("One of the chosen teams does not exist.");
    await tx.teamMember.deleteMany({ where: { userId } });
    await tx.teamMember.createMany({ data: [...new Set(teamIds)].map((teamId) => ({ teamId, userId })) });
    await recordAudit(tx, { actor: personActor(actor), action: "user.teams.update", target: { type: "user", id: userId }, outcome: "success", details: { teamIds } });
    return user;
  });
}

import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { authorizeTeamChange } from "./access";
import { assertKnownApprovalTools } from "./authority";
import { serverDetailsSchema } from "./schemas";
import { refreshSearchDocument } from "./search";

/**
 * Owners of the team edit an entry's registration, data handling, risk posture and authority
 * boundaries while its latest version is a draft; after submission, changes wait for a new version.
 * A move to another team needs membership of both.
 */
export async function updateServerDetails(actor: Actor, serverId: string, input: unknown) {
  await guard(actor, "catalog.edit", { type: "server", id: serverId });
  const details = parseInput(serverDetailsSchema, input);
  const server = await db().server.findUnique({
    where: { id: serverId },
    select: {
      teamId: true,
      versions: { select: { version: true, status: true, tools: { select: { name: true } } }, orderBy: { createdAt: "desc" }, take: 1 },
    },
  });
  if (!server) throw new NotFoundError("That catalog entry does not exist.");
  const target = { type: "server", id: serverId };
  await authorizeTeamChange(actor, "catalog.edit", server.teamId, target);
  if (details.teamId !== server.teamId) await authorizeTeamChange(actor, "catalog.edit", details.teamId, target);
  const latest = server.versions[0];
  if (latest && latest.status !== "draft") {
    throw new ConflictError(`Version ${latest.version} is ${latest.status.replace("_", " ")}: import a new draft version before editing.`);
  }
  assertKnownApprovalTools(details.approvalTools, latest?.tools.map((tool) => tool.name) ?? []);
  await db().$transaction(async (tx) => {
    await tx.server.update({ where: { id: serverId }, data: details });
    await refreshSearchDocument(tx, serverId);
    await recordAudit(tx, { actor: personActor(actor), action: "server.update", target, outcome: "success", details: { fields: Object.keys(details) } });
  });
}

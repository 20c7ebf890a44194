import { personActor, recordAudit } from "@/lib/audit/record";
import { authorizeOwned } from "@/lib/auth/access";
import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { assertKnownApprovalTools } from "./authority";
import { ownedEntry } from "./owned";
import { approvalToolsSchema, type HostPatterns, hostPatternsSchema, serverDetailsSchema } from "./schemas";
import { refreshSearchDocument } from "./search";
import { weakeningOf } from "./weakening";

/**
 * Owners of the team edit an entry's registration, data handling, risk posture and authority
 * boundaries while its latest version is a draft; after submission, changes wait for a new version.
 * A move to another team needs membership of both.
 */
export async function updateServerDetails(actor: Actor, serverId: string, input: unknown) {
  await guard(actor, "catalog.edit", { type: "server", id: serverId });
  const details = parseInput(serverDetailsSchema, input);
  const server = await ownedEntry(actor, serverId, {
    teamId: true,
    classification: true,
    approvalTools: true,
    sensitiveFields: true,
    versions: { select: { version: true, status: true, tools: { select: { name: true } } }, orderBy: { createdAt: "desc" } },
  });
  const target = { type: "server", id: serverId };
  if (details.teamId !== server.teamId) await authorizeOwned(actor, "server.edit", { teamId: details.teamId }, target);
  const latest = server.versions[0];
  if (latest && latest.status !== "draft") {
    throw new ConflictError(`Version ${latest.version} is ${latest.status.replace("_", " ")}: import a new draft version before editing.`);
  }
  assertKnownApprovalTools(details.approvalTools, latest?.tools.map((tool) => tool.name) ?? []);
  const versions = server.versions.map((version) => ({ version: version.version, status: version.status, tools: version.tools.map((tool) => tool.name) }));
  const before = { classification: server.classification, approvalTools: approvalToolsSchema.safeParse(server.approvalTools).data ?? {}, sensitiveFields: server.sensitiveFields };
  const weakening = weakeningOf(before, details, versions);
  if (weakening) await refuse(actor, "catalog.edit", target, "would weaken a reviewed version's gate", weakening);
  await db().$transaction(async (tx) => {
    await tx.server.update({ where: { id: serverId }, data: details });
    await refreshSearchDocument(tx, serverId);
    await recordAudit(tx, { actor: personActor(actor), action: "server.update", target, outcome: "success", details: { fields: Object.keys(details) } });
  });
}

/**
 * The entry's owners set how the gateway may answer repeated calls (decision 035): the result-cache TTL of
 * its read-only, idempotent tools and the window of idempotency keys. Unlike the details above these
 * change at any time: they widen nothing a reviewer decided (every check still runs before a cached or
 * replayed answer). The change reaches every gateway through the servers trigger.
 */
export async function updateHostPatterns(actor: Actor, serverId: string, input: unknown): Promise<HostPatterns> {
  const target = { type: "server", id: serverId };
  await guard(actor, "catalog.edit", target);
  const settings = parseInput(hostPatternsSchema, input);
  const before = await ownedEntry(actor, serverId, { teamId: true, resultCacheTtlSeconds: true, idempotencyWindowSeconds: true });
  await db().$transaction(async (tx) => {
    await tx.server.update({ where: { id: serverId }, data: settings });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "server.update",
      target,
      outcome: "success",
      details: { fields: Object.keys(settings), resultCacheTtlSeconds: `${before.resultCacheTtlSeconds} -> ${settings.resultCacheTtlSeconds}`, idempotencyWindowSeconds: `${before.idempotencyWindowSeconds} -> ${settings.idempotencyWindowSeconds}` },
    });
  });
  return settings;
}

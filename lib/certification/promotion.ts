import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { assertNotOwner, authorizeOwned, refuseForSeparationOfDuties } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { environments } from "@/lib/catalog/schemas";
import { db, type Tx } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { safeText } from "@/lib/text/unsafe-text";
import { parseInput, reasonText } from "@/lib/validation";
import { applyTransition } from "./lifecycle";

// Promotion makes a certified version the pinned one in an environment. Its gates: a rollout plan,
// a rollback plan and a kill-switch plan; prod also needs an approver's decision. The version it
// replaces keeps running until its sunset date (the dual-run window) and is then retired.

const plan = (label: string) =>
  z.string({ error: `${label} is required.` }).trim().min(10, `${label} is required (at least 10 characters).`).max(10000).pipe(safeText(label));

const requestInput = z.object({
  versionId: z.uuid({ error: "Unknown version." }),
  environment: z.enum(environments, { error: "Environment must be dev, staging or prod." }),
  rolloutPlan: plan("A rollout plan"),
  rollbackPlan: plan("A rollback plan"),
  killSwitchPlan: plan("A kill-switch plan"),
  sunsetDays: z.coerce.number({ error: "The dual-run window must be a number of days." }).int().min(0).max(365).default(14),
});

const decisionInput = z.object({
  promotionId: z.uuid({ error: "Unknown promotion request." }),
  decision: z.enum(["approve", "deny"], { error: "Decide approve or deny." }),
  reason: reasonText(2000),
});

const approvalNeeded = new Set(["prod"]);
const day = 24 * 60 * 60 * 1000;

/** The owner asks to promote a certified version; dev and staging take effect at once, prod waits for an approver. */
export async function requestPromotion(actor: Actor, input: unknown) {
  await guard(actor, "promotions.request", { type: "server" });
  const data = parseInput(requestInput, input);
  const version = await db().serverVersion.findUnique({
    where: { id: data.versionId },
    select: { id: true, version: true, status: true, serverId: true, server: { select: { teamId: true, environments: true } } },
  });
  if (!version) throw new NotFoundError("That version does not exist.");
  await authorizeOwned(actor, "server.edit", { teamId: version.server.teamId }, { type: "server", id: version.serverId });
  if (version.status !== "certified") throw new ConflictError(`Only certified versions can be promoted; ${version.version} is ${version.status.replace("_", " ")}.`);
  if (!version.server.environments.includes(data.environment)) {
    throw new ValidationError(`This server is not registered to run in ${data.environment}.`);
  }
  const { versionId, ...fields } = data;
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const promotion = await tx.promotion.create({ data: { versionId, ...fields, requestedById: actor.id }, select: { id: true } });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "promotion.request",
        target: { type: "server", id: version.serverId },
        outcome: "success",
        details: { version: version.version, environment: data.environment, promotionId: promotion.id },
      });
      if (!approvalNeeded.has(data.environment)) await promote(tx, actor, promotion.id);
      return { id: promotion.id, pending: approvalNeeded.has(data.environment) };
    }),
    `A promotion of ${version.version} to ${data.environment} is already waiting for a decision.`,
  );
}

/** An approver decides a pending promotion. Nobody decides a request they made or for a server they own. */
export async function decidePromotion(actor: Actor, input: unknown) {
  await guard(actor, "promotions.decide", { type: "promotion" });
  const data = parseInput(decisionInput, input);
  const promotion = await db().promotion.findUnique({
    where: { id: data.promotionId },
    select: { id: true, status: true, requestedById: true, environment: true, version: { select: { version: true, serverId: true } } },
  });
  if (!promotion) throw new NotFoundError("That promotion request does not exist.");
  await assertNotOwner(actor, promotion.version.serverId, "promotions.decide");
  if (promotion.requestedById === actor.id) {
    await refuseForSeparationOfDuties(actor, "promotions.decide", { type: "promotion", id: promotion.id }, "requester of the promotion", "You cannot decide a promotion you requested.");
  }
  if (promotion.status !== "pending") throw new ConflictError(`This promotion was already decided (${promotion.status}).`);
  await db().$transaction(async (tx) => {
    const decided = await tx.promotion.updateMany({
      where: { id: promotion.id, status: "pending" },
      data: { decidedById: actor.id, decidedAt: new Date(), decisionReason: data.reason, ...(data.decision === "deny" ? { status: "denied" } : {}) },
    });
    if (decided.count !== 1) throw new ConflictError("This promotion was decided meanwhile.");
    await recordAudit(tx, {
      actor: personActor(actor),
      action: `promotion.${data.decision}`,
      target: { type: "server", id: promotion.version.serverId },
      outcome: "success",
      reason: data.reason,
      details: { version: promotion.version.version, environment: promotion.environment, promotionId: promotion.id },
    });
    if (data.decision === "approve") await promote(tx, actor, promotion.id);
  });
}

/** Pins the version in the environment; the version it replaces is deprecated once pinned nowhere. */
async function promote(tx: Tx, actor: Actor, promotionId: string): Promise<void> {
  const promotion = await tx.promotion.update({
    where: { id: promotionId },
    data: { status: "promoted" },
    select: { environment: true, sunsetDays: true, version: { select: { id: true, version: true, serverId: true, status: true } } },
  });
  const { version, environment } = promotion;
  if (version.status !== "certified") throw new ConflictError(`Version ${version.version} is no longer certified and cannot be promoted.`);
  const key = { serverId_environment: { serverId: version.serverId, environment } };
  const previous = await tx.pin.findUnique({ where: key, select: { versionId: true } });
  await tx.pin.upsert({ where: key, create: { serverId: version.serverId, environment, versionId: version.id }, update: { versionId: version.id, pinnedAt: new Date() } });
  await recordAudit(tx, {
    actor: personActor(actor),
    action: "version.promote",
    target: { type: "server", id: version.serverId },
    outcome: "success",
    details: { version: version.version, environment, replaced: previous?.versionId ?? null },
  });
  if (previous && previous.versionId !== version.id) await deprecateIfUnpinned(tx, actor, previous.versionId, promotion.sunsetDays);
}

async function deprecateIfUnpinned(tx: Tx, actor: Actor, versionId: string, sunsetDays: number) {
  if ((await tx.pin.count({ where: { versionId } })) > 0) return;
  const old = await tx.serverVersion.findUniqueOrThrow({ where: { id: versionId }, select: { id: true, version: true, serverId: true, status: true } });
  if (old.status !== "certified") return;
  const sunsetAt = new Date(Date.now() + sunsetDays * day);
  await applyTransition(tx, actor, old, "deprecate", {
    reason: "replaced by a newer promoted version",
    details: { sunsetAt: sunsetAt.toISOString() },
    data: { deprecatedAt: new Date(), sunsetAt },
  });
}

/** Retires every deprecated version whose sunset has passed; run on a schedule. Returns how many. */
export async function retireSunsetVersions(now = new Date()): Promise<number> {
  const due = await db().serverVersion.findMany({
    where: { status: "deprecated", sunsetAt: { lte: now } },
    select: { id: true, version: true, serverId: true },
  });
  for (const version of due) {
    await db().$transaction((tx) => applyTransition(tx, null, version, "retire", { reason: "sunset date reached" })).catch((error) => {
      if (!(error instanceof ConflictError)) throw error;
    });
  }
  return due.length;
}

/** Pending promotion requests for the approvals inbox, oldest first. */
export function pendingPromotions() {
  return db().promotion.findMany({
    where: { status: "pending" },
    orderBy: { requestedAt: "asc" },
    select: {
      id: true,
      environment: true,
      rolloutPlan: true,
      rollbackPlan: true,
      killSwitchPlan: true,
      sunsetDays: true,
      requestedAt: true,
      requestedById: true,
      version: { select: { version: true, riskTier: true, server: { select: { id: true, name: true, title: true } } } },
    },
  });
}

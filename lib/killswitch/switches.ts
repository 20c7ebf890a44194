import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db, type Tx } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { type KillSwitch, Prisma } from "@/lib/generated/prisma/client";
import { safeName } from "@/lib/text/unsafe-text";
import { parseInput, reasonText } from "@/lib/validation";
import { byBreadth, type KillScopeName, killScopes, type KillSwitchView, killSwitchTarget } from "./types";

// Kill switches stop tool calls at once, without waiting for a new version or a demotion: globally,
// for a server, a version, or one tool (in every version, or in one). Engaging and clearing each need
// a reason and leave an audit event in the same transaction; the database allows one engaged switch
// per target, so two people engaging the same target at once cannot both succeed.

const reasonSchema = reasonText(1000);

// Forms send "" for a field they leave empty; that means absent here.
const absentIfEmpty = (value: unknown) => (value === "" || value === null ? undefined : value);
const optionalUuid = (message: string) => z.preprocess(absentIfEmpty, z.uuid({ error: message }).optional());

const targetFields = { serverId: "a server", versionId: "a version", toolName: "a tool name" } as const;
type TargetField = keyof typeof targetFields;

const required: Record<KillScopeName, TargetField[]> = {
  global: [],
  server: ["serverId"],
  version: ["serverId", "versionId"],
  tool: ["serverId", "toolName"],
};
const allowed: Record<KillScopeName, TargetField[]> = { ...required, tool: ["serverId", "versionId", "toolName"] };

const engageInput = z
  .object({
    scope: z.enum(killScopes, { error: "Choose what to stop: global, server, version or tool." }),
    serverId: optionalUuid("Unknown server."),
    versionId: optionalUuid("Unknown version."),
    toolName: z.preprocess(
      absentIfEmpty,
      z.string({ error: "The tool name must be text." }).trim().min(1, "Name the tool.").max(200, "The tool name must be at most 200 characters.").pipe(safeName("The tool name")).optional(),
    ),
    reason: reasonSchema,
  })
  // A target the scope does not take is refused rather than ignored: dropping a version from a
  // version switch would stop the whole server.
  .superRefine((input, ctx) => {
    for (const field of Object.keys(targetFields) as TargetField[]) {
      const given = input[field] !== undefined;
      if (!given && required[input.scope].includes(field)) {
        ctx.addIssue({ code: "custom", path: [field], message: `A ${input.scope} kill switch needs ${targetFields[field]}.` });
      } else if (given && !allowed[input.scope].includes(field)) {
        ctx.addIssue({ code: "custom", path: [field], message: `A ${input.scope} kill switch takes no ${targetFields[field].replace(/^an? /, "")}.` });
      }
    }
  });

const clearInput = z.object({ id: z.uuid({ error: "Unknown kill switch." }), reason: reasonSchema });


function auditTarget(serverId: string | null | undefined): { type: string; id?: string } {
  return serverId ? { type: "server", id: serverId } : { type: "global" };
}

// For the audit event of a refusal, before the input is validated: the server it names, if it names one.
function looseServerId(input: unknown): string | undefined {
  const value = (input as { serverId?: unknown } | null)?.serverId;
  return typeof value === "string" && z.uuid().safeParse(value).success ? value : undefined;
}

/** Adds the names a reader needs (server, version, who engaged it) to switch rows. */
async function views(rows: KillSwitch[], client: Tx = db()): Promise<KillSwitchView[]> {
  if (rows.length === 0) return [];
  const ids = (pick: (row: KillSwitch) => string | null) => [...new Set(rows.map(pick).filter((id): id is string => id !== null))];
  // One after another: inside a transaction they share one connection anyway.
  const servers = await client.server.findMany({ where: { id: { in: ids((r) => r.serverId) } }, select: { id: true, name: true } });
  const versions = await client.serverVersion.findMany({ where: { id: { in: ids((r) => r.versionId) } }, select: { id: true, version: true } });
  const people = await client.user.findMany({ where: { id: { in: ids((r) => r.engagedById) } }, select: { id: true, email: true } });
  const name = new Map(servers.map((s) => [s.id, s.name]));
  const version = new Map(versions.map((v) => [v.id, v.version]));
  const email = new Map(people.map((p) => [p.id, p.email]));
  return rows.map((row) => ({
    id: row.id,
    scope: row.scope,
    serverId: row.serverId,
    serverName: row.serverId ? (name.get(row.serverId) ?? null) : null,
    versionId: row.versionId,
    version: row.versionId ? (version.get(row.versionId) ?? null) : null,
    toolName: row.toolName,
    reason: row.reason,
    engagedAt: row.engagedAt,
    engagedBy: row.engagedById ? (email.get(row.engagedById) ?? null) : null,
  }));
}

async function assertTargetExists(tx: Tx, target: { serverId?: string; versionId?: string; toolName?: string }) {
  if (!target.serverId) return;
  const server = await tx.server.findUnique({ where: { id: target.serverId }, select: { name: true } });
  if (!server) throw new NotFoundError("That catalog entry does not exist.");
  if (target.versionId) {
    const version = await tx.serverVersion.findUnique({ where: { id: target.versionId }, select: { serverId: true } });
    if (!version || version.serverId !== target.serverId) throw new NotFoundError(`That version does not belong to ${server.name}.`);
  }
  if (target.toolName) {
    const declared = await tx.versionTool.count({
      where: { name: target.toolName, version: { serverId: target.serverId, ...(target.versionId ? { id: target.versionId } : {}) } },
    });
    if (!declared) {
      const where = target.versionId ? "that version" : "any version";
      throw new NotFoundError(`${server.name} declares no tool named ${target.toolName} in ${where}.`);
    }
  }
}

/** Stops calls to a target at once. */
export async function engageKillSwitch(actor: Actor, input: unknown): Promise<KillSwitchView> {
  await guard(actor, "killswitch.manage", auditTarget(looseServerId(input)));
  const { scope, serverId, versionId, toolName, reason } = parseInput(engageInput, input);
  const target = { serverId: serverId ?? null, versionId: versionId ?? null, toolName: toolName ?? null };
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      await assertTargetExists(tx, { serverId, versionId, toolName });
      const engaged = await tx.killSwitch.findFirst({ where: { scope, ...target, clearedAt: null } });
      if (engaged) throw new ConflictError(alreadyEngaged(scope));
      const row = await tx.killSwitch.create({ data: { scope, ...target, reason, engagedById: actor.id } });
      const [view] = await views([row], tx);
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "killswitch.engage",
        target: auditTarget(serverId),
        outcome: "success",
        reason,
        details: { killSwitchId: row.id, scope, ...target, stops: killSwitchTarget(view!) },
      });
      return view!;
    }),
    // Someone engaged the same target between our check and our insert.
    alreadyEngaged(scope),
  );
}

function alreadyEngaged(scope: KillScopeName): string {
  return scope === "global" ? "The global kill switch is already engaged." : `A kill switch for this ${scope} is already engaged.`;
}

/** Lets calls through again; the switch stays on record with who cleared it and why. */
export async function clearKillSwitch(actor: Actor, input: unknown): Promise<KillSwitchView> {
  const looseId = (input as { id?: unknown } | null)?.id;
  const known =
    typeof looseId === "string" && z.uuid().safeParse(looseId).success
      ? await db().killSwitch.findUnique({ where: { id: looseId }, select: { serverId: true } })
      : null;
  await guard(actor, "killswitch.manage", auditTarget(known?.serverId));
  const { id, reason } = parseInput(clearInput, input);
  return db().$transaction(async (tx) => {
    // Conditional on still being engaged, so two people clearing at once cannot both succeed.
    const { count } = await tx.killSwitch.updateMany({
      where: { id, clearedAt: null },
      data: { clearedAt: new Date(), clearedById: actor.id, clearReason: reason },
    });
    const row = await tx.killSwitch.findUnique({ where: { id } });
    if (!row) throw new NotFoundError("That kill switch does not exist.");
    if (count === 0) throw new ConflictError("That kill switch was already cleared.");
    const [view] = await views([row], tx);
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "killswitch.clear",
      target: auditTarget(row.serverId),
      outcome: "success",
      reason,
      details: { killSwitchId: row.id, scope: row.scope, serverId: row.serverId, versionId: row.versionId, toolName: row.toolName, engagedReason: row.reason },
    });
    return view!;
  });
}

/** Every engaged switch, broadest first, newest first within a scope. */
export async function activeKillSwitches(): Promise<KillSwitchView[]> {
  const rows = await db().killSwitch.findMany({ where: { clearedAt: null }, orderBy: { engagedAt: "desc" } });
  return byBreadth(await views(rows));
}

/**
 * The engaged switches that stop calls to this server, version or tool: the global one, the server's,
 * the version's (when a version is given) and the tool's (for every version, or for the given one).
 * Empty means nothing is stopped.
 */
export async function killSwitchesFor(target: { serverId: string; versionId?: string | null; toolName?: string | null }): Promise<KillSwitchView[]> {
  const { serverId, versionId, toolName } = target;
  const applies: Prisma.KillSwitchWhereInput[] = [{ scope: "global" }, { scope: "server", serverId }];
  if (versionId) applies.push({ scope: "version", serverId, versionId });
  if (toolName) applies.push({ scope: "tool", serverId, toolName, OR: [{ versionId: null }, ...(versionId ? [{ versionId }] : [])] });
  const rows = await db().killSwitch.findMany({ where: { clearedAt: null, OR: applies }, orderBy: { engagedAt: "desc" } });
  return byBreadth(await views(rows));
}

/** Every engaged switch on anything of this server (its versions and tools included), without the global one. */
export async function killSwitchesOnServer(serverId: string): Promise<KillSwitchView[]> {
  const rows = await db().killSwitch.findMany({ where: { clearedAt: null, serverId }, orderBy: { engagedAt: "desc" } });
  return byBreadth(await views(rows));
}

/** The engaged global switch, if any: while it is, every tool call is refused (the app shows a banner). */
export async function engagedGlobalSwitch(): Promise<KillSwitchView | null> {
  const row = await db().killSwitch.findFirst({ where: { clearedAt: null, scope: "global" }, orderBy: { engagedAt: "desc" } });
  if (!row) return null;
  const [view] = await views([row]);
  return view ?? null;
}

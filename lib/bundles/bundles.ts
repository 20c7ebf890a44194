import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { authorizeOwned } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db, type Tx } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { BundleStatus } from "@/lib/generated/prisma/client";
import { bundleNamePattern } from "@/lib/gateway/endpoints";
import { safeName } from "@/lib/text/unsafe-text";
import { nameText, parseInput, reasonText } from "@/lib/validation";
import { type BundleToolRef, bundleToolNames } from "@/lib/gateway/bundle-names";

// Bundles: a team's named set of tools across catalog entries ("support-desk"), served to the team's agents
// at /mcp/bundles/{name} (lib/gateway/endpoint-view.ts). Defined by the team's owners or administrators,
// versioned and reviewed like an entry: a draft changes freely; submitted, it is immutable (the database
// refuses changes to its tools) and waits for a reviewer who is not its author, who certifies or rejects it.
// The highest certified version is served. Every change is audited in its transaction.

const toolRef = z.object({
  server: z.string({ error: "Name each tool's server." }).trim().min(3).max(200).pipe(safeName("The server name")),
  tool: z.string({ error: "Name each tool." }).trim().min(1).max(128).regex(/^[A-Za-z0-9_.-]+$/, "Tool names have only letters, digits, _ . and -."),
});

const toolsSchema = z
  .array(toolRef, { error: "List the bundle's tools." })
  .min(1, "A bundle holds at least one tool.")
  .max(200, "A bundle holds at most 200 tools.")
  .refine((tools) => new Set(tools.map((ref) => `${ref.server} ${ref.tool}`)).size === tools.length, "A tool is listed twice.");

const bundleNameSchema = z
  .string({ error: "Name the bundle." })
  .regex(bundleNamePattern, "A bundle's name is lower-case letters, digits and hyphens, as support-desk (at most 64).");

const createInput = z.object({
  name: bundleNameSchema,
  title: nameText("The title", 200),
  description: z.string().trim().max(2000).pipe(safeName("The description")).default(""),
  teamId: z.uuid({ error: "Choose the owning team." }),
  tools: toolsSchema,
});

const draftInput = z.object({ bundle: bundleNameSchema, tools: toolsSchema });
const versionInput = z.object({ bundle: bundleNameSchema, number: z.number({ error: "Name the version by its number." }).int().min(1).max(1_000_000) });
const decisionInput = versionInput.extend({ reason: reasonText(1000) });

export interface BundleVersionView {
  bundle: string;
  number: number;
  status: BundleStatus;
  tools: BundleToolRef[];
}

/** The pairs as rows, refused unless each server exists and a certified (or deprecated) version declares the tool. */
async function toolRows(tx: Tx, tools: BundleToolRef[]): Promise<{ serverId: string; toolName: string; position: number }[]> {
  const named = bundleToolNames(tools);
  const unexposable = named.filter((tool) => tool.exposedName === null);
  if (unexposable.length) throw new ValidationError(`These tools cannot be named on an MCP endpoint: ${unexposable.map((t) => `${t.server} ${t.tool}`).join(", ")}.`);
  const servers = await tx.server.findMany({ where: { name: { in: [...new Set(tools.map((ref) => ref.server))] } }, select: { id: true, name: true } });
  const idOf = new Map(servers.map((server) => [server.name, server.id]));
  const declared = await tx.versionTool.findMany({
    where: { name: { in: tools.map((ref) => ref.tool) }, version: { serverId: { in: servers.map((server) => server.id) }, status: { in: ["certified", "deprecated"] } } },
    select: { name: true, version: { select: { serverId: true } } },
  });
  const known = new Set(declared.map((tool) => `${tool.version.serverId} ${tool.name}`));
  const missing = tools.filter((ref) => !known.has(`${idOf.get(ref.server)} ${ref.tool}`));
  if (missing.length) throw new ValidationError(`No certified version declares ${missing.map((ref) => `${ref.tool} of ${ref.server}`).join(", ")}.`);
  return tools.map((ref, position) => ({ serverId: idOf.get(ref.server)!, toolName: ref.tool, position }));
}

async function bundleNamed(name: string) {
  const bundle = await db().bundle.findUnique({ where: { name }, select: { id: true, name: true, teamId: true } });
  if (!bundle) throw new NotFoundError(`There is no bundle ${name}.`);
  return bundle;
}

const looseName = (input: unknown) => {
  const value = (input as { bundle?: unknown } | null)?.bundle;
  return typeof value === "string" && bundleNamePattern.test(value) ? value : undefined;
};

/** Creates a bundle for a team with its first version, a draft. */
export async function createBundle(actor: Actor, input: unknown): Promise<BundleVersionView> {
  await guard(actor, "bundles.define", { type: "bundle" });
  const { name, title, description, teamId, tools } = parseInput(createInput, input);
  await authorizeOwned(actor, "bundle.define", { teamId }, { type: "team", id: teamId });
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const rows = await toolRows(tx, tools);
      const bundle = await tx.bundle.create({ data: { name, title, description, teamId } });
      await tx.bundleVersion.create({ data: { bundleId: bundle.id, number: 1, authorId: actor.id, tools: { create: rows } } });
      await recordAudit(tx, { actor: personActor(actor), action: "bundle.create", target: { type: "bundle", id: bundle.id }, outcome: "success", details: { name, teamId, tools: tools.length } });
      return { bundle: name, number: 1, status: "draft" as const, tools };
    }),
    `A bundle named ${name} already exists.`,
  );
}

/** Sets the tools of the bundle's draft, opening a new draft version when the latest one is submitted or decided. */
export async function saveBundleDraft(actor: Actor, input: unknown): Promise<BundleVersionView> {
  const name = looseName(input);
  const found = name ? await db().bundle.findUnique({ where: { name }, select: { id: true, teamId: true } }) : null;
  await guard(actor, "bundles.define", { type: "bundle", id: found?.id });
  const { bundle: bundleName, tools } = parseInput(draftInput, input);
  const bundle = await bundleNamed(bundleName);
  await authorizeOwned(actor, "bundle.define", bundle, { type: "bundle", id: bundle.id });
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const rows = await toolRows(tx, tools);
      const latest = await tx.bundleVersion.findFirst({ where: { bundleId: bundle.id }, orderBy: { number: "desc" }, select: { id: true, number: true, status: true } });
      let number = (latest?.number ?? 0) + 1;
      if (latest?.status === "draft") {
        number = latest.number;
        await tx.bundleTool.deleteMany({ where: { versionId: latest.id } });
        await tx.bundleTool.createMany({ data: rows.map((row) => ({ ...row, versionId: latest.id })) });
        await tx.bundleVersion.update({ where: { id: latest.id }, data: { authorId: actor.id } });
      } else {
        await tx.bundleVersion.create({ data: { bundleId: bundle.id, number, authorId: actor.id, tools: { create: rows } } });
      }
      await recordAudit(tx, { actor: personActor(actor), action: "bundle.version.draft", target: { type: "bundle", id: bundle.id }, outcome: "success", details: { name: bundle.name, number, tools: tools.length } });
      return { bundle: bundle.name, number, status: "draft" as const, tools };
    }),
    "Someone changed this bundle at the same time; try again.",
  );
}

/** draft → submitted: from now on the version cannot change. */
export async function submitBundleVersion(actor: Actor, input: unknown): Promise<void> {
  const name = looseName(input);
  const found = name ? await db().bundle.findUnique({ where: { name }, select: { id: true } }) : null;
  await guard(actor, "bundles.define", { type: "bundle", id: found?.id });
  const { bundle: bundleName, number } = parseInput(versionInput, input);
  const bundle = await bundleNamed(bundleName);
  await authorizeOwned(actor, "bundle.define", bundle, { type: "bundle", id: bundle.id });
  await db().$transaction(async (tx) => {
    const { count } = await tx.bundleVersion.updateMany({ where: { bundleId: bundle.id, number, status: "draft" }, data: { status: "submitted", submittedAt: new Date() } });
    if (count === 0) throw new ConflictError(`Version ${number} of ${bundle.name} is not a draft.`);
    await recordAudit(tx, { actor: personActor(actor), action: "bundle.version.submit", target: { type: "bundle", id: bundle.id }, outcome: "success", details: { name: bundle.name, number } });
  });
}

/** submitted → certified or rejected, by a reviewer who is not the version's author. */
export async function decideBundleVersion(actor: Actor, input: unknown, decision: "certify" | "reject"): Promise<void> {
  const name = looseName(input);
  const found = name ? await db().bundle.findUnique({ where: { name }, select: { id: true } }) : null;
  const target = { type: "bundle", id: found?.id };
  await guard(actor, "bundles.review", target);
  const { bundle: bundleName, number, reason } = parseInput(decisionInput, input);
  const bundle = await bundleNamed(bundleName);
  const version = await db().bundleVersion.findUnique({ where: { bundleId_number: { bundleId: bundle.id, number } }, select: { id: true, authorId: true } });
  if (!version) throw new NotFoundError(`${bundle.name} has no version ${number}.`);
  if (version.authorId === actor.id) await refuse(actor, "bundles.review", target, "author of the version", "Nobody reviews a bundle version they wrote: ask another reviewer.");
  const status = decision === "certify" ? "certified" : "rejected";
  await db().$transaction(async (tx) => {
    const { count } = await tx.bundleVersion.updateMany({ where: { id: version.id, status: "submitted" }, data: { status, reviewerId: actor.id, decidedAt: new Date(), decisionReason: reason } });
    if (count === 0) throw new ConflictError(`Version ${number} of ${bundle.name} is not waiting for review.`);
    await recordAudit(tx, { actor: personActor(actor), action: `bundle.version.${decision}`, target: { type: "bundle", id: bundle.id }, outcome: "success", reason, details: { name: bundle.name, number } });
  });
}

export interface BundleDetail {
  name: string;
  title: string;
  description: string;
  teamId: string;
  versions: (BundleVersionView & { authorId: string; reviewerId: string | null; decisionReason: string | null })[];
}

/** A bundle with every version, newest first: for reviewers (who decide on it), and for those who may define it. */
export async function bundleDetail(actor: Actor, input: unknown): Promise<BundleDetail> {
  const name = looseName(input);
  const found = name ? await db().bundle.findUnique({ where: { name }, select: { id: true, teamId: true } }) : null;
  const target = { type: "bundle", id: found?.id };
  const { bundle: bundleName } = parseInput(z.object({ bundle: bundleNameSchema }), input);
  if (!can(actor, "bundles.review")) {
    // One unknown for a bundle that does not exist and one the actor may not see, after the role check.
    await guard(actor, "bundles.define", target);
    if (!found) throw new NotFoundError(`There is no bundle ${bundleName}.`);
    await authorizeOwned(actor, "bundle.define", found, target);
  }
  const bundle = await db().bundle.findUnique({
    where: { name: bundleName },
    select: {
      name: true,
      title: true,
      description: true,
      teamId: true,
      versions: {
        orderBy: { number: "desc" },
        select: { number: true, status: true, authorId: true, reviewerId: true, decisionReason: true, tools: { orderBy: { position: "asc" }, select: { toolName: true, server: { select: { name: true } } } } },
      },
    },
  });
  if (!bundle) throw new NotFoundError(`There is no bundle ${bundleName}.`);
  return {
    ...bundle,
    versions: bundle.versions.map(({ tools, ...version }) => ({ ...version, bundle: bundle.name, tools: tools.map((tool) => ({ server: tool.server.name, tool: tool.toolName })) })),
  };
}

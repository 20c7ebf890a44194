import { z } from "zod";
import { personActor, recordAudit, systemActor } from "@/lib/audit/record";
import { authorizeOwned, authorizeSeparated } from "@/lib/auth/access";
import { guard, refuse } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { awaitApprovalAtTier } from "@/lib/agents/regate";
import { riskTiers } from "@/lib/catalog/schemas";
import { db, type Tx } from "@/lib/db/prisma";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { VersionStatus } from "@/lib/generated/prisma/client";
import { nameText, parseInput, reasonText } from "@/lib/validation";
import { prereleaseChecks } from "./checks";
import { certificationManifest } from "./certificate";

// The review part of the lifecycle: draft → submitted → in review → certified | rejected.
// Each step moves only from the one status it names, checked again inside the update, so two
// people acting at once cannot both succeed.
export const transitions = {
  submit: { from: "draft", to: "submitted" },
  claim: { from: "submitted", to: "in_review" },
  certify: { from: "in_review", to: "certified" },
  reject: { from: "in_review", to: "rejected" },
  deprecate: { from: "certified", to: "deprecated" },
  retire: { from: "deprecated", to: "retired" },
} as const satisfies Record<string, { from: VersionStatus; to: VersionStatus }>;

export type Transition = keyof typeof transitions;

const statusLabel = (status: string) => status.replace("_", " ");

const reasonSchema = reasonText(2000);
const versionIdSchema = z.uuid({ error: "Unknown version." });

async function loadVersion(versionId: string) {
  const version = await db().serverVersion.findUnique({
    where: { id: versionId },
    select: {
      id: true,
      version: true,
      status: true,
      reviewerId: true,
      serverId: true,
      server: { select: { name: true, teamId: true } },
      tools: { select: { name: true, definitionHash: true, annotations: true } },
      resources: { select: { uri: true, definitionHash: true } },
      resourceTemplates: { select: { uriTemplate: true, definitionHash: true } },
      prompts: { select: { name: true, definitionHash: true } },
    },
  });
  if (!version) throw new NotFoundError("That version does not exist.");
  return version;
}

type LoadedVersion = Awaited<ReturnType<typeof loadVersion>>;

function assertTransition(version: LoadedVersion, transition: Transition): void {
  const { from } = transitions[transition];
  if (version.status !== from) {
    throw new ConflictError(
      `Cannot ${transition} version ${version.version}: it is ${statusLabel(version.status)}, and only ${statusLabel(from)} versions can be.`,
    );
  }
}

/** Moves the version and writes the decision and audit event in one transaction; refuses if someone moved it first. */
export async function applyTransition(
  tx: Tx,
  actor: Actor | null,
  version: { id: string; version: string; serverId: string },
  transition: Transition,
  change: { reason?: string; details?: Record<string, unknown>; data?: Record<string, unknown> } = {},
): Promise<void> {
  const { from, to } = transitions[transition];
  const moved = await tx.serverVersion.updateMany({ where: { id: version.id, status: from }, data: { status: to, ...change.data } });
  if (moved.count !== 1) throw new ConflictError(`Version ${version.version} changed meanwhile; reload and try again.`);
  await tx.versionDecision.create({
    data: { versionId: version.id, action: transition, actorId: actor?.id, reason: change.reason, details: change.details as object | undefined },
  });
  await recordAudit(tx, {
    actor: actor ? personActor(actor) : systemActor,
    action: `version.${transition}`,
    target: { type: "server", id: version.serverId },
    outcome: "success",
    reason: change.reason ?? null,
    details: { version: version.version, from, to, ...change.details },
  });
}

/** The owner hands a draft to governance. */
export async function submitVersion(actor: Actor, input: { versionId: unknown; note?: unknown }) {
  await guard(actor, "versions.submit", { type: "server" });
  const version = await loadVersion(parseInput(versionIdSchema, input.versionId));
  await authorizeOwned(actor, "server.edit", { teamId: version.server.teamId }, { type: "server", id: version.serverId });
  assertTransition(version, "submit");
  const note = input.note ? parseInput(reasonSchema, input.note) : undefined;
  await db().$transaction((tx) => applyTransition(tx, actor, version, "submit", { reason: note, data: { submittedAt: new Date() } }));
}

/** A reviewer takes a submitted version; only they decide it. Answers which version, for the page to open its review. */
export async function claimReview(actor: Actor, input: { versionId: unknown }): Promise<{ serverId: string; version: string }> {
  await guard(actor, "reviews.decide", { type: "server" });
  const version = await loadVersion(parseInput(versionIdSchema, input.versionId));
  await authorizeSeparated(actor, "server.review", { id: version.serverId });
  assertTransition(version, "claim");
  await db().$transaction((tx) => applyTransition(tx, actor, version, "claim", { data: { reviewerId: actor.id } }));
  return { serverId: version.serverId, version: version.version };
}

async function decidingReviewer(actor: Actor, versionId: unknown, transition: "certify" | "reject") {
  await guard(actor, "reviews.decide", { type: "server" });
  const version = await loadVersion(parseInput(versionIdSchema, versionId));
  await authorizeSeparated(actor, "server.review", { id: version.serverId });
  assertTransition(version, transition);
  if (version.reviewerId !== actor.id) {
    await refuse(actor, "reviews.decide", { type: "server", id: version.serverId }, "not the reviewer who claimed the version", "Only the reviewer who claimed this version can decide it.");
  }
  return version;
}

export async function rejectVersion(actor: Actor, input: { versionId: unknown; reason: unknown }) {
  const version = await decidingReviewer(actor, input.versionId, "reject");
  const reason = parseInput(reasonSchema, input.reason);
  await db().$transaction((tx) => applyTransition(tx, actor, version, "reject", { reason }));
}

const certifyInput = z.object({
  reason: reasonSchema,
  riskTier: z.enum(riskTiers, { error: "Choose a risk tier: low, medium, high or critical." }),
  approvalTools: z.array(nameText("A tool name", 200)).max(1000).default([]),
  waivers: z
    .array(z.object({ check: z.enum(["quality", "safety", "compliance", "security"]), reason: reasonSchema }))
    .max(4)
    .default([]),
});

/**
 * Tools that need a human approval unless the reviewer decides otherwise: those whose annotations
 * say destructive or do not say read-only. Annotations are the server's hints, so this is only the
 * starting point of the reviewer's decision, never the decision itself.
 */
export function defaultApprovalTools(tools: { name: string; annotations?: unknown }[]): string[] {
  return tools
    .filter((tool) => {
      const hints = (tool.annotations ?? {}) as { destructiveHint?: unknown; readOnlyHint?: unknown };
      return hints.destructiveHint === true || hints.readOnlyHint !== true;
    })
    .map((tool) => tool.name);
}

async function assertChecksPassOrWaived(versionId: string, waivers: { check: string; reason: string }[]) {
  const { checks } = await prereleaseChecks(versionId);
  const unwaived = checks.filter((check) => !check.passed && !waivers.some((waiver) => waiver.check === check.name));
  if (unwaived.length) {
    const problems = unwaived.map((check) => `${check.name}: ${check.reasons.join(" ")}`).join(" ");
    throw new ValidationError(`Certification needs every prerelease check to pass or a waiver with a reason. Failing: ${problems}`);
  }
  const passing = waivers.filter((waiver) => checks.find((check) => check.name === waiver.check)?.passed);
  if (passing.length) throw new ValidationError(`Only failing checks can be waived; ${passing.map((w) => w.check).join(", ")} passed.`);
}

/** The claiming reviewer certifies: checks pass (or are waived with reasons), the manifest is signed. */
export async function certifyVersion(actor: Actor, input: { versionId: unknown } & Record<string, unknown>) {
  const version = await decidingReviewer(actor, input.versionId, "certify");
  const decision = parseInput(certifyInput, input);
  const known = new Set(version.tools.map((tool) => tool.name));
  const unknown = decision.approvalTools.filter((name) => !known.has(name));
  if (unknown.length) throw new ValidationError(`Version ${version.version} has no tool named ${unknown.join(", ")}.`);
  await assertChecksPassOrWaived(version.id, decision.waivers);
  const certifiedAt = new Date();
  // The manifest is public, so it names the reviewer by id rather than by email.
  const signed = await certificationManifest(version, { reviewer: actor.id, certifiedAt, ...decision });
  await db().$transaction(async (tx) => {
    await applyTransition(tx, actor, version, "certify", {
      reason: decision.reason,
      details: { riskTier: decision.riskTier, approvalTools: decision.approvalTools, waivers: decision.waivers, keyId: signed.keyId },
      data: {
        certifiedAt,
        riskTier: decision.riskTier,
        approvalTools: decision.approvalTools,
        manifest: signed.manifest as object,
        manifestSignature: signed.signature,
        signingKeyId: signed.keyId,
      },
    });
    await tx.server.update({ where: { id: version.serverId }, data: { riskTier: decision.riskTier } });
    await awaitApprovalAtTier(tx, actor, version.serverId, decision.riskTier);
  });
}

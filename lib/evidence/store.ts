import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { authorizeOwned } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, NotFoundError } from "@/lib/errors";
import type { Prisma, VersionStatus } from "@/lib/generated/prisma/client";
import { getPolicy } from "@/lib/settings/policy";
import { parseEvidence } from "./parse";

// Evidence is append-only (a database trigger refuses UPDATE and DELETE): each item is kept with
// the SHA-256 of what was submitted, who added it and when.

/** Evidence may be added until review ends; after certification or rejection it is frozen. */
const openStatuses: readonly VersionStatus[] = ["draft", "submitted", "in_review"];

const uuid = z.uuid();

/** Everything about an item except its file content, which can be large. */
const evidenceFields = {
  id: true,
  versionId: true,
  kind: true,
  title: true,
  fileName: true,
  mediaType: true,
  sizeBytes: true,
  sha256: true,
  record: true,
  createdById: true,
  createdAt: true,
} as const satisfies Prisma.EvidenceSelect;

function frozen(version: string, status: VersionStatus): ConflictError {
  return new ConflictError(
    `Version ${version} is ${status.replace("_", " ")}: its evidence is frozen. Add evidence to a new version instead.`,
  );
}

async function loadVersion(versionId: string) {
  const version = uuid.safeParse(versionId).success
    ? await db().serverVersion.findUnique({
        where: { id: versionId },
        select: { id: true, version: true, status: true, serverId: true, server: { select: { teamId: true } } },
      })
    : null;
  if (!version) throw new NotFoundError("That version does not exist.");
  return version;
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Adds one item of evidence to a draft, submitted or in-review version; the audit event lands with it. */
export async function addEvidence(actor: Actor, versionId: string, input: unknown) {
  await guard(actor, "evidence.add", { type: "version", id: versionId });
  const version = await loadVersion(versionId);
  const target = { type: "server", id: version.serverId };
  // Owners add evidence to their team's servers, reviewers to any (the "evidence.add" rule); a reviewer
  // who belongs to the owning team counts as one of its owners.
  const addedAs = (await authorizeOwned(actor, "evidence.add", version.server, target)) === "member" ? "owner" : "reviewer";
  if (!openStatuses.includes(version.status)) throw frozen(version.version, version.status);

  const parsed = await parseEvidence(input, { maxUploadBytes: await getPolicy("evidence.maxUploadBytes") });
  const canonicalRecord = canonicalize(parsed.record) ?? "null";
  const digest = parsed.file ? sha256(parsed.file.bytes) : sha256(canonicalRecord);
  const sizeBytes = parsed.file ? parsed.file.bytes.length : Buffer.byteLength(canonicalRecord);

  return db().$transaction(async (tx) => {
    // Hold the version's status while the evidence lands, so a certification cannot slip in between.
    const [current] = await tx.$queryRaw<{ status: VersionStatus }[]>`
      SELECT "status" FROM "server_versions" WHERE "id" = ${version.id}::uuid FOR SHARE`;
    if (!current || !openStatuses.includes(current.status)) throw frozen(version.version, current?.status ?? version.status);
    const evidence = await tx.evidence.create({
      data: {
        versionId: version.id,
        kind: parsed.kind,
        title: parsed.title,
        fileName: parsed.file?.name ?? null,
        mediaType: parsed.file?.mediaType ?? null,
        sizeBytes,
        sha256: digest,
        content: parsed.file?.bytes ?? null,
        record: parsed.record as Prisma.InputJsonValue,
        createdById: actor.id,
      },
      select: evidenceFields,
    });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "evidence.add",
      target,
      outcome: "success",
      details: { version: version.version, versionId: version.id, evidenceId: evidence.id, kind: parsed.kind, sha256: digest, addedAs },
    });
    return evidence;
  });
}

/**
 * A version's evidence, oldest first, with who added each item; file contents are fetched one at a time.
 * Unscoped read: the caller checks "catalog.view".
 */
export async function listEvidence(versionId: string) {
  if (!uuid.safeParse(versionId).success) return [];
  const items = await db().evidence.findMany({ where: { versionId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: evidenceFields });
  const authorIds = [...new Set(items.map((item) => item.createdById).filter((id): id is string => id !== null))];
  const authors = await db().user.findMany({ where: { id: { in: authorIds } }, select: { id: true, email: true, name: true } });
  const byId = new Map(authors.map((author) => [author.id, author]));
  return items.map((item) => ({ ...item, createdBy: item.createdById ? (byId.get(item.createdById) ?? null) : null }));
}

/** An evidence item's uploaded file, for download. Unscoped read: the caller checks "catalog.view". */
export async function evidenceFile(evidenceId: string) {
  const found = uuid.safeParse(evidenceId).success
    ? await db().evidence.findUnique({ where: { id: evidenceId }, select: { fileName: true, mediaType: true, content: true, sha256: true } })
    : null;
  if (!found || found.content === null || found.fileName === null) throw new NotFoundError("That evidence file does not exist.");
  return { fileName: found.fileName, mediaType: found.mediaType ?? "application/octet-stream", content: found.content, sha256: found.sha256 };
}

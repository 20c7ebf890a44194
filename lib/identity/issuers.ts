import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { nameText, parseInput, reasonText } from "@/lib/validation";
import { discoverIssuer } from "./discovery";
import { identityFetch } from "./outbound";
import { forgetTrustedIssuers } from "./trusted";

// The authorization servers whose access tokens Toolgate accepts. Administrators register one by its
// issuer identifier; Toolgate discovers its JWKS address and checks the document names the same issuer.
// Disabling stops its tokens at once (every instance is notified); removing also drops its bindings.

const issuerText = z
  .string({ error: "The issuer must be text." })
  .trim()
  .max(500, "The issuer must be at most 500 characters.")
  .pipe(z.url({ protocol: /^https?$/, error: "The issuer must be an http(s) URL, e.g. https://login.example.com/realms/agents." }))
  .refine((text) => {
    const url = new URL(text);
    return !url.search && !url.hash && !url.username && !url.password;
  }, "The issuer must not have a query, a fragment or credentials (RFC 8414 §2).");

const registerInput = z.object({
  issuer: issuerText,
  displayName: z.preprocess((value) => value || undefined, nameText("The display name", 100).optional()),
});
const issuerIdInput = z.object({ issuerId: z.uuid({ error: "Unknown issuer." }) });
const setEnabledInput = issuerIdInput.extend({ enabled: z.boolean({ error: "Say whether the issuer is enabled." }), reason: reasonText(500) });

const publicFields = { id: true, issuer: true, displayName: true, jwksUri: true, metadataUrl: true, enabled: true, createdAt: true } as const;

/** Discovers the issuer's metadata and trusts its tokens from now on. */
export async function registerIssuer(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "issuer" });
  const data = parseInput(registerInput, input);
  const discovered = await discoverIssuer(data.issuer, identityFetch());
  try {
    const created = await db().$transaction(async (tx) => {
      const row = await tx.trustedIssuer.create({
        data: { issuer: discovered.issuer, displayName: data.displayName ?? new URL(discovered.issuer).host, jwksUri: discovered.jwksUri, metadataUrl: discovered.metadataUrl, createdById: actor.id },
        select: publicFields,
      });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "identity.issuer.register",
        target: { type: "issuer", id: row.id },
        outcome: "success",
        details: { issuer: row.issuer, jwksUri: row.jwksUri, metadataUrl: row.metadataUrl },
      });
      return row;
    });
    forgetTrustedIssuers();
    return created;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`${discovered.issuer} is already registered.`);
    throw error;
  }
}

/** Every registered issuer, enabled first. */
export async function listIssuers(actor: Actor) {
  await guard(actor, "identity.manage", { type: "issuer" });
  return db().trustedIssuer.findMany({ select: { ...publicFields, _count: { select: { bindings: true } } }, orderBy: [{ enabled: "desc" }, { issuer: "asc" }] });
}

async function existingIssuer(issuerId: string) {
  const row = await db().trustedIssuer.findUnique({ where: { id: issuerId }, select: { id: true, issuer: true, enabled: true } });
  if (!row) throw new NotFoundError("That issuer is not registered.");
  return row;
}

/** Stops (or again accepts) the issuer's tokens; the reason goes to the audit trail. */
export async function setIssuerEnabled(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "issuer" });
  const { issuerId, enabled, reason } = parseInput(setEnabledInput, input);
  const row = await existingIssuer(issuerId);
  if (row.enabled === enabled) throw new ConflictError(`${row.issuer} is already ${enabled ? "enabled" : "disabled"}.`);
  await db().$transaction(async (tx) => {
    const changed = await tx.trustedIssuer.updateMany({ where: { id: row.id, enabled: !enabled }, data: { enabled } });
    if (changed.count !== 1) throw new ConflictError(`${row.issuer} was changed meanwhile.`);
    await recordAudit(tx, {
      actor: personActor(actor),
      action: enabled ? "identity.issuer.enable" : "identity.issuer.disable",
      target: { type: "issuer", id: row.id },
      outcome: "success",
      reason,
      details: { issuer: row.issuer },
    });
  });
  forgetTrustedIssuers();
  return { id: row.id, enabled };
}

/** Forgets the issuer and every agent binding to it. */
export async function removeIssuer(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "issuer" });
  const { issuerId } = parseInput(issuerIdInput, input);
  const row = await existingIssuer(issuerId);
  await db().$transaction(async (tx) => {
    const bindings = await tx.tokenBinding.count({ where: { issuerId: row.id } });
    const removed = await tx.trustedIssuer.deleteMany({ where: { id: row.id } });
    if (removed.count !== 1) throw new ConflictError(`${row.issuer} was removed meanwhile.`);
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "identity.issuer.remove",
      target: { type: "issuer", id: row.id },
      outcome: "success",
      details: { issuer: row.issuer, bindingsRemoved: bindings },
    });
  });
  forgetTrustedIssuers();
  return { id: row.id };
}

import type { Prisma } from "@/lib/generated/prisma/client";

// What the registry reads of a version to describe it: one query shape for every endpoint.

/** Certified versions, and deprecated ones until they are retired; never drafts, reviews, rejections. */
export const listedStatuses = ["certified", "deprecated"] as const;

export const registryVersionSelect = {
  id: true,
  version: true,
  status: true,
  createdAt: true,
  certifiedAt: true,
  deprecatedAt: true,
  sunsetAt: true,
  riskTier: true,
  approvalTools: true,
  manifest: true,
  manifestSignature: true,
  signingKeyId: true,
  server: {
    select: { id: true, name: true, title: true, purpose: true, classification: true, approvalTools: true, updatedAt: true },
  },
  tools: { select: { name: true, definitionHash: true }, orderBy: { position: "asc" } },
  evidence: { select: { kind: true, sha256: true }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] },
  pins: { select: { environment: true, pinnedAt: true } },
} satisfies Prisma.ServerVersionSelect;

export type RegistryVersionRow = Prisma.ServerVersionGetPayload<{ select: typeof registryVersionSelect }>;

/** When anything the registry shows of this version last changed: the entry, certification, deprecation, promotion. */
export function updatedAtOf(row: Pick<RegistryVersionRow, "createdAt" | "certifiedAt" | "deprecatedAt" | "pins" | "server">): Date {
  const times = [row.server.updatedAt, row.createdAt, row.certifiedAt, row.deprecatedAt, ...row.pins.map((pin) => pin.pinnedAt)];
  return new Date(Math.max(...times.flatMap((time) => (time ? [time.getTime()] : []))));
}

/** The same moments as a query filter: versions whose `updatedAtOf` is at or after `since`. */
export function updatedSinceWhere(since: Date): Prisma.ServerVersionWhereInput {
  return {
    OR: [
      { server: { updatedAt: { gte: since } } },
      { createdAt: { gte: since } },
      { certifiedAt: { gte: since } },
      { deprecatedAt: { gte: since } },
      { pins: { some: { pinnedAt: { gte: since } } } },
    ],
  };
}

import { db } from "@/lib/db/prisma";
import { prereleaseChecks } from "./checks";

/**
 * Versions waiting for governance (submitted or in review), oldest submission first, with their checks.
 * Unscoped read: the caller checks "reviews.view".
 */
export async function reviewQueue() {
  const versions = await db().serverVersion.findMany({
    where: { status: { in: ["submitted", "in_review"] } },
    orderBy: [{ submittedAt: "asc" }, { createdAt: "asc" }],
    select: {
      id: true,
      version: true,
      status: true,
      submittedAt: true,
      reviewerId: true,
      server: { select: { id: true, name: true, title: true, classification: true, team: { select: { name: true } } } },
    },
  });
  const reviewers = await db().user.findMany({
    where: { id: { in: versions.flatMap((v) => (v.reviewerId ? [v.reviewerId] : [])) } },
    select: { id: true, email: true },
  });
  return Promise.all(
    versions.map(async (version) => ({
      ...version,
      reviewer: reviewers.find((r) => r.id === version.reviewerId)?.email ?? null,
      checks: await prereleaseChecks(version.id),
    })),
  );
}

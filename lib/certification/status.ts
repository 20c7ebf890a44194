import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import type { EnvironmentName } from "@/lib/catalog/schemas";
import { prereleaseChecks } from "./checks";
import type { EntryFacts } from "./next-step";

/** Everything the entry page shows about a version's way through governance. */
export async function versionLifecycle(serverId: string, version: string) {
  const found = await db().serverVersion.findUnique({
    where: { serverId_version: { serverId, version } },
    select: {
      id: true,
      version: true,
      status: true,
      reviewerId: true,
      submittedAt: true,
      certifiedAt: true,
      riskTier: true,
      approvalTools: true,
      signingKeyId: true,
      deprecatedAt: true,
      sunsetAt: true,
      tools: { select: { name: true, annotations: true }, orderBy: { position: "asc" } },
      decisions: { orderBy: { id: "asc" }, select: { id: true, action: true, actorId: true, reason: true, createdAt: true } },
      promotions: {
        orderBy: { requestedAt: "desc" },
        select: { id: true, environment: true, status: true, requestedAt: true, decidedAt: true, decisionReason: true },
      },
    },
  });
  if (!found) throw new NotFoundError(`Version ${version} of this server does not exist.`);
  const people = await db().user.findMany({
    where: { id: { in: found.decisions.flatMap((d) => (d.actorId ? [d.actorId] : [])) } },
    select: { id: true, email: true },
  });
  const emailOf = (id: string | null) => (id ? (people.find((p) => p.id === id)?.email ?? "unknown") : "system");
  return {
    ...found,
    decisions: found.decisions.map((decision) => ({ ...decision, actor: emailOf(decision.actorId) })),
    checks: await prereleaseChecks(found.id),
  };
}

export type VersionLifecycle = Awaited<ReturnType<typeof versionLifecycle>>;

/** Which version is pinned in each environment. */
export function pinsOf(serverId: string) {
  return db().pin.findMany({ where: { serverId }, select: { environment: true, pinnedAt: true, version: { select: { version: true } } } });
}

/** The facts the entry page's next-step strip reads (lib/certification/next-step.ts), for the newest version. */
export async function entryFacts(server: { id: string; environments: EnvironmentName[]; versions: { id: string }[] }): Promise<EntryFacts> {
  const newest = server.versions[0];
  const [pins, latest] = await Promise.all([
    pinsOf(server.id),
    newest
      ? db().serverVersion.findUniqueOrThrow({
          where: { id: newest.id },
          select: {
            version: true,
            status: true,
            reviewerId: true,
            promotions: { where: { status: "pending" }, select: { environment: true }, take: 1 },
          },
        })
      : null,
  ]);
  const [checks, reviewer] = await Promise.all([
    newest ? prereleaseChecks(newest.id) : null,
    latest?.reviewerId ? db().user.findUnique({ where: { id: latest.reviewerId }, select: { id: true, email: true } }) : null,
  ]);
  return {
    serverId: server.id,
    environments: server.environments,
    pins: pins.map((pin) => ({ environment: pin.environment, version: pin.version.version })),
    latest:
      latest &&
      checks && {
        version: latest.version,
        status: latest.status,
        reviewer,
        missingEvidence: checks.checks.flatMap((check) => check.reasons),
        pendingPromotion: latest.promotions[0]?.environment ?? null,
      },
  };
}

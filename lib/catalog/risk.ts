import { db } from "@/lib/db/prisma";
import type { RiskTier } from "@/lib/generated/prisma/client";
import { riskTiers } from "./schemas";

// Which risk tier governs access to a server. The entry's own tier is the owner's declaration and the
// owner may edit it whenever a draft is open; the tier a reviewer set when certifying a version is not
// theirs to change. Gates (grant approval, the registry's _meta) take the strictest of the reviewers'
// tiers on every version an agent could be served (certified or deprecated), and the owner's declaration
// can only raise it: an owner lowering the entry's tier weakens nothing.

const usableStatuses = ["certified", "deprecated"] as const;
const approverTiers: readonly RiskTier[] = ["high", "critical"];

/** Whether a grant to a server of this governing tier waits for an approver. */
export function grantNeedsApprover(tier: RiskTier | null): boolean {
  return tier !== null && approverTiers.includes(tier);
}

/** The strictest of these tiers; null when none is set. */
function strictestTier(tiers: readonly (RiskTier | null | undefined)[]): RiskTier | null {
  let strictest: RiskTier | null = null;
  for (const tier of tiers) {
    if (tier && (strictest === null || riskTiers.indexOf(tier) > riskTiers.indexOf(strictest))) strictest = tier;
  }
  return strictest;
}

/** Per server: the tier that governs access to it (see above); null when nobody set one. */
export async function governingRiskTiers(serverIds: readonly string[]): Promise<Map<string, RiskTier | null>> {
  const ids = [...new Set(serverIds)];
  if (ids.length === 0) return new Map();
  const servers = await db().server.findMany({
    where: { id: { in: ids } },
    select: { id: true, riskTier: true, versions: { where: { status: { in: [...usableStatuses] } }, select: { riskTier: true } } },
  });
  return new Map(servers.map((server) => [server.id, strictestTier([server.riskTier, ...server.versions.map((version) => version.riskTier)])]));
}

/** The tier that governs access to one server. */
export async function governingRiskTier(serverId: string): Promise<RiskTier | null> {
  return (await governingRiskTiers([serverId])).get(serverId) ?? null;
}

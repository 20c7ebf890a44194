import { type EnvironmentName, environments } from "@/lib/catalog/schemas";
import { db } from "@/lib/db/prisma";

// A promotion's plans rarely change from one environment to the next: the request form starts from those
// of the server's last promotion to the environment before (dev → staging → prod), and says so.

export interface PromotionPlans {
  rolloutPlan: string;
  rollbackPlan: string;
  killSwitchPlan: string;
  sunsetDays: number;
}

/** Where a request's plans came from: the promotion they were copied from. */
export interface PlansPrefill {
  from: { environment: EnvironmentName; version: string };
  plans: PromotionPlans;
}

/** The environment promoted to before this one, or null for the first (dev). */
export function previousEnvironment(environment: EnvironmentName): EnvironmentName | null {
  return environments[environments.indexOf(environment) - 1] ?? null;
}

/** For each environment, the plans of the server's last carried-out promotion to the one before it. */
export async function plansFromPreviousEnvironment(serverId: string): Promise<Partial<Record<EnvironmentName, PlansPrefill>>> {
  const promoted = await db().promotion.findMany({
    where: { status: "promoted", version: { serverId } },
    orderBy: { requestedAt: "desc" },
    distinct: ["environment"],
    select: { environment: true, rolloutPlan: true, rollbackPlan: true, killSwitchPlan: true, sunsetDays: true, version: { select: { version: true } } },
  });
  return prefillsFrom(promoted.map(({ environment, version, ...plans }) => ({ environment, version: version.version, plans })));
}

/** Pure: the last promotion per environment (newest first) becomes the prefill of the environment after it. */
export function prefillsFrom(latestPerEnvironment: { environment: EnvironmentName; version: string; plans: PromotionPlans }[]) {
  const prefills: Partial<Record<EnvironmentName, PlansPrefill>> = {};
  for (const environment of environments) {
    const previous = previousEnvironment(environment);
    const source = previous && latestPerEnvironment.find((promotion) => promotion.environment === previous);
    if (source) prefills[environment] = { from: { environment: source.environment, version: source.version }, plans: source.plans };
  }
  return prefills;
}

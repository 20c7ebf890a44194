import type { RefusalAction } from "@/lib/audit/actions";
import { db } from "@/lib/db/prisma";
import { teamIdsOf } from "@/lib/teams/manage";
import { type Action, can } from "./authorize";
import { type AuditTarget, guard, refuse } from "./guard";
import { type Actor, hasRole } from "./roles";

// Who may act on something a team owns (a catalog entry, its versions and evidence, an agent): the role
// the action needs (lib/auth/authorize.ts) AND the person's relation to the owning team. Services refuse
// through `authorizeOwned`, pages and components ask `may` (components get the boolean from their page),
// reads narrow to `teamsInScope`. lib/auth/access.test.ts holds the matrix: rule × role × member/stranger.
// The other way round, separation of duties (at the end): owning a server bars deciding on it.

export interface ScopedRule {
  /** The role permission the rule starts from. */
  action: Action;
  /** Who may act on any team's things, without belonging to the owning team. */
  anyTeam: (actor: Actor) => boolean;
  /** What a refusal for not belonging to the team records (`action`, `reason`) and tells the person. */
  refusal: { action: Action; reason: string; message: string };
}

const notInOwningTeam = {
  reason: "not a member of the owning team",
  message: "Only members of the owning team can change this catalog entry.",
};

export const scopedRules = {
  /** Register a server for a team: owners, for their own teams. */
  "server.register": { action: "catalog.register", anyTeam: () => false, refusal: { action: "catalog.register", ...notInOwningTeam } },
  /** Change a catalog entry, import and submit its versions, request its promotion: owners of its team. */
  "server.edit": { action: "catalog.edit", anyTeam: () => false, refusal: { action: "catalog.edit", ...notInOwningTeam } },
  /**
   * Add evidence to a version: owners of the server's team, or any reviewer (a red-team report they ran,
   * say). An owner outside the team is refused as for any change to the entry.
   */
  "evidence.add": { action: "evidence.add", anyTeam: (actor) => hasRole(actor, "reviewer"), refusal: { action: "catalog.edit", ...notInOwningTeam } },
  /** See a team's agents: administrators for every team, owners for their own. */
  "agent.view": {
    action: "agents.view",
    anyTeam: (actor) => hasRole(actor, "admin"),
    refusal: { action: "agents.view", reason: "not a member of the agent's team", message: "Only administrators and members of the agent's team can see this agent." },
  },
  /** Manage an agent, its keys and its grants: administrators for every team, owners for their own. */
  "agent.manage": {
    action: "agents.manage",
    anyTeam: (actor) => hasRole(actor, "admin"),
    refusal: { action: "agents.manage", reason: "not a member of the agent's team", message: "Only administrators and members of the agent's team can manage this agent." },
  },
  /** Define a team's bundle and its versions: administrators for every team, owners for their own. */
  "bundle.define": {
    action: "bundles.define",
    anyTeam: (actor) => hasRole(actor, "admin"),
    refusal: { action: "bundles.define", reason: "not a member of the bundle's team", message: "Only administrators and owners in the bundle's team can define this bundle." },
  },
} as const satisfies Record<string, ScopedRule>;

export type Rule = keyof typeof scopedRules;
export const rules = Object.keys(scopedRules) as Rule[];

/** Something a team owns. */
export interface Owned {
  teamId: string;
}

/** How the actor stands to the owning team when allowed: one of its members, or allowed beyond it. */
export type Standing = "member" | "any team";

/** The decision itself, pure: the actor's roles and the teams they belong to against the owning team. */
export function standing(actor: Actor, memberOf: readonly string[], rule: Rule, owned: Owned): Standing | null {
  const { action, anyTeam }: ScopedRule = scopedRules[rule];
  if (!can(actor, action)) return null;
  if (memberOf.includes(owned.teamId)) return "member";
  return anyTeam(actor) ? "any team" : null;
}

/**
 * For pages deciding what to show: whether the actor may apply the rule to this thing. A scoped rule
 * (above) takes what a team owns; a separated rule (below) takes the server.
 */
export async function may(actor: Actor, rule: Rule, owned: Owned): Promise<boolean>;
export async function may(actor: Actor, rule: SeparatedRule, server: OwnedServer): Promise<boolean>;
export async function may(actor: Actor, rule: Rule | SeparatedRule, thing: Owned | OwnedServer): Promise<boolean> {
  if (isSeparatedRule(rule)) return can(actor, separatedRules[rule].action) && !(await ownsServer(actor.id, (thing as OwnedServer).id));
  if (!can(actor, scopedRules[rule].action)) return false;
  return standing(actor, await teamIdsOf(actor.id), rule, thing as Owned) !== null;
}

/**
 * For services: refuses (audited, 403) unless the actor may apply the rule to this thing; says how the
 * actor stood when allowed. The role is checked first, so a missing role is refused as "missing role".
 */
export async function authorizeOwned(actor: Actor, rule: Rule, owned: Owned, target: AuditTarget): Promise<Standing> {
  const { action, refusal }: ScopedRule = scopedRules[rule];
  await guard(actor, action, target);
  const allowed = standing(actor, await teamIdsOf(actor.id), rule, owned);
  if (allowed) return allowed;
  return refuse(actor, refusal.action, target, refusal.reason, refusal.message);
}

/** The teams whose things the rule lets the actor reach: "all", their own, or none without the role. */
export async function teamsInScope(actor: Actor, rule: Rule): Promise<string[] | "all"> {
  const { action, anyTeam }: ScopedRule = scopedRules[rule];
  if (!can(actor, action)) return [];
  return anyTeam(actor) ? "all" : teamIdsOf(actor.id);
}

/** What a page records when it refuses for the team (through forbidPage in lib/auth/session.ts). */
export function teamRefusal(rule: Rule): { action: Action; reason: string } {
  const { action, reason } = scopedRules[rule].refusal;
  return { action, reason };
}

// Separation of duties: nobody reviews, certifies or approves a server they own, as a named owner or as a
// member of its owning team.

/** A server, for the separated rules: they ask who owns it. */
export interface OwnedServer {
  id: string;
}

/**
 * Rules that bar a server's owners: the role the action needs AND not owning the server. Services refuse
 * through `authorizeSeparated`, pages ask `may` (the reviews queue and the entry page both offer Claim by it).
 */
export const separatedRules = {
  /** Claim, certify or reject a server's versions: reviewers who do not own it. */
  "server.review": { action: "reviews.decide" },
} as const satisfies Record<string, { action: Action & RefusalAction }>;

export type SeparatedRule = keyof typeof separatedRules;

function isSeparatedRule(rule: Rule | SeparatedRule): rule is SeparatedRule {
  return Object.hasOwn(separatedRules, rule);
}

/** For services: refuses (audited, 403) without the rule's role ("missing role"), then when the actor owns the server. */
export async function authorizeSeparated(actor: Actor, rule: SeparatedRule, server: OwnedServer): Promise<void> {
  const { action } = separatedRules[rule];
  await guard(actor, action, { type: "server", id: server.id });
  await assertNotOwner(actor, server.id, action);
}

/** The servers a person owns: as a named owner or as a member of the owning team (a Prisma filter). */
export const ownedServersWhere = (personId: string) => ({
  OR: [{ owners: { some: { userId: personId } } }, { team: { members: { some: { userId: personId } } } }],
});

/** Whether the person owns the server: a named owner or a member of its owning team. */
export async function ownsServer(personId: string, serverId: string): Promise<boolean> {
  return (await db().server.count({ where: { id: serverId, ...ownedServersWhere(personId) } })) > 0;
}

/** Audits a separation-of-duties refusal, then throws it as a ForbiddenError with the message. */
export async function refuseForSeparationOfDuties(actor: Actor, action: RefusalAction, target: { type: string; id: string }, reason: string, message: string): Promise<never> {
  return refuse(actor, action, target, `separation of duties: ${reason}`, message);
}

/** Refuses (audited) when the actor owns the server they are about to review, certify or approve. */
export async function assertNotOwner(actor: Actor, serverId: string, action: RefusalAction): Promise<void> {
  if (!(await ownsServer(actor.id, serverId))) return;
  await refuseForSeparationOfDuties(
    actor,
    action,
    { type: "server", id: serverId },
    "owner of the server",
    "Separation of duties: you own this server, so you cannot review, certify or approve it.",
  );
}

import { can } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { type EnvironmentName, environments as environmentOrder } from "@/lib/catalog/schemas";
import type { VersionStatus } from "@/lib/generated/prisma/client";

// Where a catalog entry is on its way to the agents, and the one thing the signed-in person can do next
// (or why they cannot). Pure: the page gathers the facts (entryFacts in ./status.ts) and the person's
// standing through the rules of lib/auth (`may`, `ownsServer`); this only reads them, with `can` for roles.

export const stages = [
  { id: "draft", label: "Draft" },
  { id: "evidence", label: "Add evidence" },
  { id: "submit", label: "Submit" },
  { id: "review", label: "In review" },
  { id: "certified", label: "Certified" },
  { id: "promote", label: "Promote" },
  { id: "live", label: "Live" },
] as const;

export type Stage = (typeof stages)[number]["id"];

export interface EntryFacts {
  serverId: string;
  /** Where the server may run. */
  environments: readonly EnvironmentName[];
  /** The newest version, or null before the first import. */
  latest: {
    version: string;
    status: VersionStatus;
    reviewer: { id: string; email: string } | null;
    /** Why its prerelease checks fail, one sentence each; empty when they pass. */
    missingEvidence: string[];
    /** A promotion of it waiting for an approver. */
    pendingPromotion: EnvironmentName | null;
  } | null;
  /** The version pinned in each environment that has one. */
  pins: { environment: EnvironmentName; version: string }[];
}

/** How the person stands to the entry, as the rules of lib/auth decide it. */
export interface PersonStanding {
  actor: Actor;
  /** may(actor, "server.edit", server): changes the entry, submits and promotes its versions. */
  editor: boolean;
  /** may(actor, "server.review", server): claims and decides its reviews. */
  reviewer: boolean;
  /** ownsServer(actor.id, server.id): separation of duties bars deciding on it. */
  owns: boolean;
}

export interface NextStep {
  stage: Stage;
  /** The one thing the person can do now, or null when they wait. */
  action: { label: string; href: string } | null;
  /** What the entry needs or waits for, and why this person cannot do it, as sentences. */
  notes: string[];
  /** Each environment the server may run in, with the version it runs there (null: none yet). */
  environments: { environment: EnvironmentName; version: string | null }[];
}

const inOrder = (list: readonly EnvironmentName[]) => environmentOrder.filter((environment) => list.includes(environment));

function step(stage: Stage, action: NextStep["action"], notes: string[]): Omit<NextStep, "environments"> {
  return { stage, action, notes };
}

/** The environment a certified version goes to next: the first it may run in that does not run it yet. */
export function nextEnvironment(facts: EntryFacts): EnvironmentName | null {
  const version = facts.latest?.version;
  return inOrder(facts.environments).find((environment) => facts.pins.find((pin) => pin.environment === environment)?.version !== version) ?? null;
}

export function nextStep(facts: EntryFacts, person: PersonStanding): NextStep {
  const environments = inOrder(facts.environments).map((environment) => ({
    environment,
    version: facts.pins.find((pin) => pin.environment === environment)?.version ?? null,
  }));
  return { ...decide(facts, person), environments };
}

function decide(facts: EntryFacts, { actor, editor, reviewer, owns }: PersonStanding): Omit<NextStep, "environments"> {
  const base = `/catalog/${facts.serverId}`;
  const tab = (id: string) => `${base}?tab=${id}`;
  const { latest } = facts;
  if (!latest) {
    return editor
      ? step("draft", { label: "Import a version", href: tab("versions") }, ["The entry has no version yet."])
      : step("draft", null, ["Waiting for the owning team to import a first version."]);
  }
  const missing = latest.missingEvidence;
  const addEvidence = { label: "Add evidence", href: tab("evidence") };
  const needs = missing.length ? [`Needs evidence before certification: ${missing.join(" ")}`] : [];
  const submitter = editor && can(actor, "versions.submit");

  switch (latest.status) {
    case "draft":
      if (missing.length) {
        return submitter
          ? step("evidence", addEvidence, [...needs, "You can also submit it as it is: the reviewer then has to waive each failing check."])
          : step("evidence", null, [...needs, "Waiting for the owning team to add evidence and submit it for review."]);
      }
      return submitter
        ? step("submit", { label: "Submit for review", href: tab("review") }, ["Every prerelease check passes."])
        : step("submit", null, ["Every prerelease check passes. Waiting for the owning team to submit it for review."]);
    case "submitted": {
      if (reviewer) return step("review", { label: "Claim the review", href: tab("review") }, needs);
      const waiting = can(actor, "reviews.decide") && owns ? "Waiting for a reviewer: you cannot review your own server." : "Waiting for a reviewer to claim it.";
      return step("review", submitter && missing.length ? addEvidence : null, [waiting, ...needs]);
    }
    case "in_review": {
      if (latest.reviewer?.id === actor.id) {
        const waivers = missing.length ? ["Each failing check needs a waiver to certify."] : [];
        return step("review", { label: "Decide the review", href: tab("review") }, [...needs, ...waivers]);
      }
      const by = `In review by ${latest.reviewer?.email ?? "a reviewer"}.`;
      return step("review", submitter && missing.length ? addEvidence : null, [by, ...needs]);
    }
    case "rejected":
      return editor
        ? step("review", { label: "Import a new version", href: tab("versions") }, [`Version ${latest.version} was rejected: the reason is on the Review tab.`])
        : step("review", null, [`Version ${latest.version} was rejected. Waiting for the owning team to import a new version.`]);
    case "certified":
      return promotion(facts, latest.version, latest.pendingPromotion, { actor, editor, owns }, tab);
    case "deprecated":
    case "retired":
      return step("live", null, [`Version ${latest.version} is ${latest.status}: a newer version replaced it.`]);
  }
}

function promotion(
  facts: EntryFacts,
  version: string,
  pending: EnvironmentName | null,
  { actor, editor, owns }: Omit<PersonStanding, "reviewer">,
  tab: (id: string) => string,
): Omit<NextStep, "environments"> {
  if (pending) {
    if (can(actor, "promotions.decide") && !owns) return step("promote", { label: `Decide the promotion to ${pending}`, href: "/approvals" }, []);
    return step("promote", null, [
      can(actor, "promotions.decide")
        ? `Waiting for another approver to decide the promotion to ${pending}: you cannot approve your own server.`
        : `Waiting for an approver to decide the promotion to ${pending}.`,
    ]);
  }
  const next = nextEnvironment(facts);
  if (!next) return step("live", null, [`Version ${version} runs in every environment this server may run in.`]);
  if (editor && can(actor, "promotions.request")) {
    const note = next === "prod" ? "Promotion to prod waits for an approver." : `Promotion to ${next} takes effect at once.`;
    return step("promote", { label: `Promote to ${next}`, href: `${tab("review")}#request-promotion` }, [note]);
  }
  return step("promote", null, [`Waiting for the owning team to promote it to ${next}.`]);
}

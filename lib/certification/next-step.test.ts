import { describe, expect, it } from "vitest";
import type { Actor, Role } from "@/lib/auth/roles";
import { type EntryFacts, nextEnvironment, nextStep, type PersonStanding } from "./next-step";

// The strip's decision as a matrix: each stage × the people who look at it. Standing (editor, reviewer,
// owns) is what lib/auth's rules answer for that person; here it is given, as the page passes it.

const serverId = "11111111-1111-4111-8111-111111111111";
const base = `/catalog/${serverId}`;

const actor = (id: string, ...roles: Role[]): Actor => ({ id, email: `${id}@example.test`, roles });

const people = {
  /** An owner in the owning team. */
  owner: { actor: actor("owner", "owner"), editor: true, reviewer: false, owns: true },
  /** A reviewer from outside the team. */
  reviewer: { actor: actor("reviewer", "reviewer"), editor: false, reviewer: true, owns: false },
  /** A reviewer in the owning team: separation of duties bars them. */
  teamReviewer: { actor: actor("team-reviewer", "reviewer"), editor: false, reviewer: false, owns: true },
  approver: { actor: actor("approver", "approver"), editor: false, reviewer: false, owns: false },
  admin: { actor: actor("admin", "admin"), editor: false, reviewer: false, owns: false },
  /** An owner of another team. */
  stranger: { actor: actor("stranger", "owner"), editor: false, reviewer: false, owns: false },
} satisfies Record<string, PersonStanding>;

type Latest = NonNullable<EntryFacts["latest"]>;

function facts(latest: Partial<Latest> | null, pins: EntryFacts["pins"] = []): EntryFacts {
  return {
    serverId,
    environments: ["prod", "dev", "staging"],
    pins,
    latest: latest && { version: "1.2.0", status: "draft", reviewer: null, missingEvidence: [], pendingPromotion: null, ...latest },
  };
}

const missing = ["No red-team report is attached."];

describe("nextStep", () => {
  it("lists the environments in promotion order with what runs there", () => {
    const step = nextStep(facts({ status: "certified" }, [{ environment: "dev", version: "1.2.0" }]), people.admin);
    expect(step.environments).toEqual([
      { environment: "dev", version: "1.2.0" },
      { environment: "staging", version: null },
      { environment: "prod", version: null },
    ]);
  });

  it("without a version: owners import one, everyone else waits", () => {
    expect(nextStep(facts(null), people.owner)).toMatchObject({ stage: "draft", action: { label: "Import a version", href: `${base}?tab=versions` } });
    for (const person of [people.reviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      expect(nextStep(facts(null), person)).toMatchObject({ stage: "draft", action: null, notes: ["Waiting for the owning team to import a first version."] });
    }
  });

  it("a draft missing evidence: the owner adds it (or may submit anyway); the others wait for the team", () => {
    const draft = facts({ missingEvidence: missing });
    const owner = nextStep(draft, people.owner);
    expect(owner).toMatchObject({ stage: "evidence", action: { label: "Add evidence", href: `${base}?tab=evidence` } });
    expect(owner.notes.join(" ")).toContain("No red-team report is attached.");
    expect(owner.notes.join(" ")).toContain("You can also submit it as it is");
    for (const person of [people.reviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      const step = nextStep(draft, person);
      expect(step).toMatchObject({ stage: "evidence", action: null });
      expect(step.notes).toContain("Waiting for the owning team to add evidence and submit it for review.");
    }
  });

  it("a draft whose checks pass: the owner submits it; the others wait", () => {
    expect(nextStep(facts({}), people.owner)).toMatchObject({ stage: "submit", action: { label: "Submit for review", href: `${base}?tab=review` } });
    for (const person of [people.reviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      expect(nextStep(facts({}), person)).toMatchObject({ stage: "submit", action: null });
    }
  });

  it("submitted: a reviewer who may claims it; a reviewer of the owning team is told why not; the owner may still add evidence", () => {
    const submitted = facts({ status: "submitted", missingEvidence: missing });
    expect(nextStep(submitted, people.reviewer)).toMatchObject({ stage: "review", action: { label: "Claim the review", href: `${base}?tab=review` } });
    expect(nextStep(submitted, people.teamReviewer)).toMatchObject({ action: null, notes: ["Waiting for a reviewer: you cannot review your own server.", expect.any(String)] });
    expect(nextStep(submitted, people.owner)).toMatchObject({ action: { label: "Add evidence" }, notes: ["Waiting for a reviewer to claim it.", expect.any(String)] });
    expect(nextStep(facts({ status: "submitted" }), people.owner)).toMatchObject({ action: null, notes: ["Waiting for a reviewer to claim it."] });
    for (const person of [people.approver, people.admin, people.stranger]) {
      expect(nextStep(submitted, person)).toMatchObject({ action: null, notes: ["Waiting for a reviewer to claim it.", expect.any(String)] });
    }
  });

  it("in review: only the reviewer who claimed it decides; the others see who reviews it", () => {
    const inReview = facts({ status: "in_review", reviewer: { id: "reviewer", email: "reviewer@example.test" }, missingEvidence: missing });
    const decider = nextStep(inReview, people.reviewer);
    expect(decider).toMatchObject({ stage: "review", action: { label: "Decide the review", href: `${base}?tab=review` } });
    expect(decider.notes).toContain("Each failing check needs a waiver to certify.");
    const otherReviewer = { ...people.reviewer, actor: actor("other", "reviewer") };
    for (const person of [otherReviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      const step = nextStep(inReview, person);
      expect(step.action).toBeNull();
      expect(step.notes[0]).toBe("In review by reviewer@example.test.");
    }
    expect(nextStep(inReview, people.owner).action).toMatchObject({ label: "Add evidence" });
  });

  it("rejected: the owner imports a new version; the others wait", () => {
    const rejected = facts({ status: "rejected" });
    expect(nextStep(rejected, people.owner)).toMatchObject({ stage: "review", action: { label: "Import a new version", href: `${base}?tab=versions` } });
    for (const person of [people.reviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      expect(nextStep(rejected, person)).toMatchObject({ action: null, notes: [expect.stringContaining("was rejected")] });
    }
  });

  it("certified: the owner promotes it to the first environment that does not run it; the others wait for them", () => {
    const certified = facts({ status: "certified" }, [{ environment: "dev", version: "1.2.0" }, { environment: "staging", version: "1.1.0" }]);
    expect(nextEnvironment(certified)).toBe("staging");
    expect(nextStep(certified, people.owner)).toMatchObject({
      stage: "promote",
      action: { label: "Promote to staging", href: `${base}?tab=review#request-promotion` },
      notes: ["Promotion to staging takes effect at once."],
    });
    for (const person of [people.reviewer, people.teamReviewer, people.approver, people.admin, people.stranger]) {
      expect(nextStep(certified, person)).toMatchObject({ stage: "promote", action: null, notes: ["Waiting for the owning team to promote it to staging."] });
    }
  });

  it("a promotion waiting: an approver who does not own the server decides it; an owning approver and everyone else wait", () => {
    const waiting = facts({ status: "certified", pendingPromotion: "prod" }, [{ environment: "dev", version: "1.2.0" }]);
    expect(nextStep(waiting, people.approver)).toMatchObject({ stage: "promote", action: { label: "Decide the promotion to prod", href: "/approvals" } });
    const owningApprover = { actor: actor("owning-approver", "owner", "approver"), editor: true, reviewer: false, owns: true };
    expect(nextStep(waiting, owningApprover)).toMatchObject({ action: null, notes: [expect.stringContaining("you cannot approve your own server")] });
    for (const person of [people.owner, people.reviewer, people.teamReviewer, people.admin, people.stranger]) {
      expect(nextStep(waiting, person)).toMatchObject({ action: null, notes: ["Waiting for an approver to decide the promotion to prod."] });
    }
  });

  it("live everywhere it may run: nobody has a step to take", () => {
    const pins = (["dev", "staging", "prod"] as const).map((environment) => ({ environment, version: "1.2.0" }));
    for (const person of Object.values(people)) {
      expect(nextStep(facts({ status: "certified" }, pins), person)).toMatchObject({ stage: "live", action: null });
    }
  });

  it("a deprecated or retired newest version is past its life: no step", () => {
    for (const status of ["deprecated", "retired"] as const) {
      expect(nextStep(facts({ status }), people.owner)).toMatchObject({ stage: "live", action: null });
    }
  });
});

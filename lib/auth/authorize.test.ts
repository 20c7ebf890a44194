import { describe, expect, it } from "vitest";
import { ForbiddenError } from "@/lib/errors";
import { type Action, actions, authorize, can } from "./authorize";
import { type Role, roles } from "./roles";

// Written out by hand on purpose: the expectation must not be derived from the table it checks.
const expected: Record<Action, Role[]> = {
  "catalog.view": ["admin", "owner", "reviewer", "approver"],
  "catalog.register": ["owner"],
  "catalog.edit": ["owner"],
  "evidence.add": ["owner", "reviewer"],
  "versions.submit": ["owner"],
  "reviews.view": ["admin", "reviewer"],
  "reviews.decide": ["reviewer"],
  "promotions.request": ["owner"],
  "promotions.decide": ["approver"],
  "killswitch.manage": ["admin", "reviewer"],
  "settings.manage": ["admin"],
  "approvals.view": ["admin", "approver"],
  "agents.view": ["admin", "owner"],
  "agents.manage": ["admin", "owner"],
  "grants.decide": ["approver"],
  "toolcalls.decide": ["approver"],
  "audit.view": ["admin", "reviewer", "approver"],
  "audit.export": ["admin", "reviewer", "approver"],
  "audit.verify": ["admin", "reviewer", "approver"],
  "audit.quarantine": ["admin"],
  "users.view": ["admin"],
  "users.create": ["admin"],
  "users.updateRoles": ["admin"],
  "users.setDisabled": ["admin"],
  "teams.manage": ["admin"],
};

const actorWith = (...held: Role[]) => ({ id: "00000000-0000-4000-8000-000000000001", email: "a@example.com", roles: held });

describe("authorization matrix", () => {
  it("covers every protected action", () => {
    expect([...actions].sort()).toEqual(Object.keys(expected).sort());
  });

  const cases = actions.flatMap((action) => roles.map((role) => ({ action, role, allowed: expected[action].includes(role) })));

  it.each(cases)("$role → $action: allowed=$allowed", ({ action, role, allowed }) => {
    const actor = actorWith(role);
    expect(can(actor, action)).toBe(allowed);
    if (allowed) expect(() => authorize(actor, action)).not.toThrow();
    else expect(() => authorize(actor, action)).toThrow(ForbiddenError);
  });

  it("refuses a person with no roles everything", () => {
    for (const action of actions) expect(can(actorWith(), action)).toBe(false);
  });

  it("allows an action when any one of several roles allows it", () => {
    expect(can(actorWith("owner", "approver"), "approvals.view")).toBe(true);
    expect(can(actorWith("owner", "approver"), "users.create")).toBe(false);
  });

  it("says which role is needed, and carries HTTP status 403", () => {
    const error = (() => {
      try {
        authorize(actorWith("reviewer"), "users.create");
      } catch (e) {
        return e as ForbiddenError;
      }
    })();
    expect(error?.status).toBe(403);
    expect(error?.message).toBe("You are not allowed to create users: this needs the role administrator.");
  });
});

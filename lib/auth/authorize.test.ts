import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError } from "@/lib/errors";
import { type Action, actions, can } from "./authorize";
import { guard } from "./guard";
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
  "identity.manage": ["admin"],
  "policies.view": ["admin", "reviewer", "approver"],
  "policies.author": ["admin"],
  "policies.approve": ["approver"],
  "policies.activate": ["admin", "approver"],
  "bundles.define": ["admin", "owner"],
  "bundles.review": ["reviewer"],
  "jobs.view": ["admin"],
};

const actorWith = (...held: Role[]) => ({ id: "00000000-0000-4000-8000-000000000001", email: "a@example.com", roles: held });

describe("authorization matrix", () => {
  it("covers every protected action", () => {
    expect([...actions].sort()).toEqual(Object.keys(expected).sort());
  });

  const cases = actions.flatMap((action) => roles.map((role) => ({ action, role, allowed: expected[action].includes(role) })));

  it.each(cases)("$role → $action: allowed=$allowed", async ({ action, role, allowed }) => {
    const actor = actorWith(role);
    expect(can(actor, action)).toBe(allowed);
    if (allowed) await expect(guard(actor, action, { type: "test" })).resolves.toBeUndefined();
    else await expect(guard(actor, action, { type: "test" })).rejects.toThrow(ForbiddenError);
  });

  it("refuses a person with no roles everything", () => {
    for (const action of actions) expect(can(actorWith(), action)).toBe(false);
  });

  it("allows an action when any one of several roles allows it", () => {
    expect(can(actorWith("owner", "approver"), "approvals.view")).toBe(true);
    expect(can(actorWith("owner", "approver"), "users.create")).toBe(false);
  });

  it("says which role is needed, carries HTTP status 403, and is audited", async () => {
    const refused = guard(actorWith("reviewer"), "users.create", { type: "user", id: "u-1" });
    await expect(refused).rejects.toMatchObject({ status: 403, message: "You are not allowed to create users: this needs the role administrator." });
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "users.create", targetId: "u-1" } });
    expect(event).toMatchObject({ outcome: "denied", reason: "missing role", actorLabel: "a@example.com" });
  });
});

import { describe, expect, it } from "vitest";
import { permissions } from "@/lib/auth/authorize";
import { transitions } from "@/lib/certification/lifecycle";
import { auditActions } from "./actions";
import { parseAuditFilters } from "@/lib/audit-trail/filters";

describe("audit actions", () => {
  it("are listed once each", () => {
    expect(new Set(auditActions).size).toBe(auditActions.length);
  });

  it("can each be filtered on exactly, refusals' permission names too", () => {
    for (const action of [...auditActions, ...Object.keys(permissions), "toolcall.decide"]) {
      expect(parseAuditFilters({ action }).action, action).toEqual({ value: action, prefix: false });
    }
  });

  it("include an event for every step of the review lifecycle", () => {
    for (const transition of Object.keys(transitions)) expect(auditActions).toContain(`version.${transition}`);
  });
});

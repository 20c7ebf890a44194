import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { auditFilterQuery, instantSpan, parseAuditFilters } from "./filters";

function refusal(query: unknown): ValidationError {
  try {
    parseAuditFilters(query);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("the filters were accepted");
}

describe("audit filters", () => {
  it("treat an empty query and empty form fields as no filter", () => {
    expect(parseAuditFilters({})).toEqual({});
    expect(parseAuditFilters({ actor: "", action: "", target: " ", outcome: "", from: "", to: "", q: "", cursor: "" })).toEqual({});
  });

  it("read actor, outcome, search and cursor", () => {
    expect(parseAuditFilters({ actor: " Ada ", outcome: "denied", q: "corr-1", cursor: "42" })).toEqual({ actor: "Ada", outcome: "denied", q: "corr-1", cursor: 42n });
  });

  it("match an action exactly, or as a prefix when it ends in a dot or a star", () => {
    expect(parseAuditFilters({ action: "user.create" }).action).toEqual({ value: "user.create", prefix: false });
    expect(parseAuditFilters({ action: "gateway." }).action).toEqual({ value: "gateway.", prefix: true });
    expect(parseAuditFilters({ action: "gateway.*" }).action).toEqual({ value: "gateway.", prefix: true });
    expect(parseAuditFilters({ action: "gateway.tools/call" }).action).toEqual({ value: "gateway.tools/call", prefix: false });
  });

  it("read a target type alone or with an id", () => {
    expect(parseAuditFilters({ target: "server" }).target).toEqual({ type: "server" });
    expect(parseAuditFilters({ target: "server:6f1c:x" }).target).toEqual({ type: "server", id: "6f1c:x" });
  });

  it("read from and to in UTC, each covering the day, minute or second it names", () => {
    const filters = parseAuditFilters({ from: "2026-01-31", to: "2026-01-31" });
    expect(filters.from).toEqual(new Date("2026-01-31T00:00:00.000Z"));
    expect(filters.before).toEqual(new Date("2026-02-01T00:00:00.000Z"));
    expect(parseAuditFilters({ to: "2026-01-31T09:30" }).before).toEqual(new Date("2026-01-31T09:31:00.000Z"));
    expect(parseAuditFilters({ to: "2026-01-31T09:30:15" }).before).toEqual(new Date("2026-01-31T09:30:16.000Z"));
    expect(parseAuditFilters({ from: "2026-01-31T09:30:00+02:00" }).from).toEqual(new Date("2026-01-31T07:30:00.000Z"));
    expect(instantSpan("2026-01-31T09:30:15.5Z")).toEqual({ start: new Date("2026-01-31T09:30:15.500Z"), end: new Date("2026-01-31T09:30:15.600Z") });
  });

  it("refuse bad values with messages that say what to give", () => {
    expect(refusal({ outcome: "maybe" }).message).toBe("The outcome is success, denied or failure.");
    expect(refusal({ from: "yesterday" }).message).toMatch(/"yesterday" is not a date: give from as 2026-01-31/);
    expect(refusal({ to: "2026-02-30" }).fieldErrors.to).toHaveLength(1);
    expect(refusal({ from: "2026-01-31T25:00" }).fieldErrors.from).toHaveLength(1);
    expect(refusal({ from: "2026-02-01", to: "2026-01-31" }).message).toBe("The end of the period is before its start.");
    expect(refusal({ cursor: "0" }).message).toMatch(/whole number from 1/);
    expect(refusal({ cursor: "-3" }).fieldErrors.cursor).toBeDefined();
    expect(refusal({ cursor: "9223372036854775808" }).message).toMatch(/beyond any chain position/);
    expect(refusal({ event: "0" }).message).toMatch(/audit event's id/);
    expect(refusal({ event: "12\u0000" }).fieldErrors.event).toBeDefined();
    expect(refusal({ event: "9223372036854775808" }).message).toMatch(/beyond any audit event/);
    expect(parseAuditFilters({ event: "42" }).event).toBe(42n);
    expect(refusal({ action: "user create" }).message).toMatch(/An action looks like user.create/);
    expect(refusal({ target: ":id-only" }).message).toMatch(/A target is a type/);
    expect(refusal({ actor: "x".repeat(201) }).message).toBe("The actor filter must be at most 200 characters.");
    expect(refusal({ actor: ["a", "b"] }).message).toBe("Give the actor filter once, as text.");
  });

  it("lists every problem at once", () => {
    expect(Object.keys(refusal({ outcome: "maybe", cursor: "x", from: "soon" }).fieldErrors).sort()).toEqual(["cursor", "from", "outcome"]);
  });

  it("build a query string of the filters only, with extra parameters", () => {
    const query = { action: "gateway.", actor: "", cursor: "9", format: "xml", other: ["a", "b"], q: "a b&c" };
    expect(auditFilterQuery(query, { format: "csv" })).toBe("action=gateway.&q=a+b%26c&format=csv");
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import type { AuditAction } from "@/lib/audit/actions";
import { type AuditFilters, parseAuditFilters } from "./filters";
import { auditEventsForExport, searchAuditEvents } from "./query";
import { type AuditInput, recordAuditBatch } from "@/lib/audit/record";

const event = (correlationId: string, fields: Partial<AuditInput> & { at: string }): AuditInput & { correlationId: string } => ({
  actor: { id: null, label: "system" },
  action: "x.test" as AuditAction,
  target: { type: "x" },
  outcome: "success",
  ...fields,
  occurredAt: new Date(fields.at),
  correlationId,
});

// In chain order; the correlation ids name the events in the assertions.
beforeAll(async () => {
  await recordAuditBatch(db(), [
    event("e1", { at: "2026-01-30T10:00:00Z", actor: { id: "u1", label: "Ada@Example.com" }, action: "user.create", target: { type: "user", id: "u2" }, reason: "Onboarding" }),
    event("e2", { at: "2026-01-31T08:00:00Z", actor: { label: "agent:scout" }, action: "gateway.tools/call", target: { type: "server", id: "s1" }, details: { decision: "allowed", tool: "echo" } }),
    event("e3", { at: "2026-01-31T09:30:00Z", actor: { label: "agent:scout" }, action: "gateway.tools/call", target: { type: "server", id: "s2" }, outcome: "denied", reason: "not granted" }),
    event("e4", { at: "2026-01-31T23:59:59Z", actor: { label: "ops_bot@example.com" }, action: "gateway.drift", target: { type: "server", id: "s1" }, outcome: "failure" }),
    event("e5", { at: "2026-02-01T00:00:00Z", actor: { label: "opsXbot@example.com" }, action: "user.create_batch" as AuditAction, target: { type: "user" }, reason: "100% done" }),
    event("e6", { at: "2026-02-02T12:00:00Z", actor: { id: "u1", label: "ada@example.com" }, action: "user.create", target: { type: "user", id: "u3" }, reason: "Team growth" }),
  ]);
});

async function found(query: Record<string, string>): Promise<string[]> {
  const { events } = await searchAuditEvents(parseAuditFilters(query));
  return events.map((e) => e.correlationId);
}

describe("searching the audit trail", () => {
  it("lists every event newest first without filters", async () => {
    expect(await found({})).toEqual(["e6", "e5", "e4", "e3", "e2", "e1"]);
  });

  it("filters by part of the actor's label in any case, taking _ and % literally", async () => {
    expect(await found({ actor: "ADA@" })).toEqual(["e6", "e1"]);
    expect(await found({ actor: "scout" })).toEqual(["e3", "e2"]);
    expect(await found({ actor: "ops_bot" })).toEqual(["e4"]);
    expect(await found({ actor: "%" })).toEqual([]);
  });

  it("filters by exact action, or by prefix", async () => {
    expect(await found({ action: "user.create" })).toEqual(["e6", "e1"]);
    expect(await found({ action: "gateway." })).toEqual(["e4", "e3", "e2"]);
    expect(await found({ action: "user.create*" })).toEqual(["e6", "e5", "e1"]);
    expect(await found({ action: "gateway_*" })).toEqual([]);
  });

  it("filters by target type, and by type and id", async () => {
    expect(await found({ target: "server" })).toEqual(["e4", "e3", "e2"]);
    expect(await found({ target: "server:s1" })).toEqual(["e4", "e2"]);
    expect(await found({ target: "user:u2" })).toEqual(["e1"]);
  });

  it("filters by outcome", async () => {
    expect(await found({ outcome: "denied" })).toEqual(["e3"]);
    expect(await found({ outcome: "failure" })).toEqual(["e4"]);
  });

  it("filters by period, a date covering its whole day", async () => {
    expect(await found({ from: "2026-01-31", to: "2026-01-31" })).toEqual(["e4", "e3", "e2"]);
    expect(await found({ from: "2026-01-31T09:30", to: "2026-02-01T00:00" })).toEqual(["e5", "e4", "e3"]);
    expect(await found({ to: "2026-01-30" })).toEqual(["e1"]);
  });

  it("searches reasons and correlation ids in any case", async () => {
    expect(await found({ q: "onboard" })).toEqual(["e1"]);
    expect(await found({ q: "100%" })).toEqual(["e5"]);
    expect(await found({ q: "0%d" })).toEqual([]);
    expect(await found({ q: "E2" })).toEqual(["e2"]);
  });

  it("finds one event by its id, as a replay's example links to it", async () => {
    const [second] = await db().auditEvent.findMany({ where: { correlationId: "e2" }, select: { id: true } });
    expect(await found({ event: second!.id.toString() })).toEqual(["e2"]);
    expect(await found({ event: second!.id.toString(), outcome: "denied" })).toEqual([]);
  });

  it("combines filters", async () => {
    expect(await found({ actor: "scout", outcome: "success" })).toEqual(["e2"]);
    expect(await found({ action: "gateway.", target: "server:s1", to: "2026-01-31T12:00" })).toEqual(["e2"]);
  });

  it("pages back with the cursor until the oldest matching event", async () => {
    const filters: AuditFilters = { action: { value: "user.", prefix: true } };
    const first = await searchAuditEvents(filters, 2);
    expect(first.events.map((e) => e.correlationId)).toEqual(["e6", "e5"]);
    expect(first.olderCursor).toBe(first.events[1]!.chainSeq);
    const second = await searchAuditEvents({ ...filters, cursor: first.olderCursor! }, 2);
    expect(second.events.map((e) => e.correlationId)).toEqual(["e1"]);
    expect(second.olderCursor).toBeNull();
    // A page that ends exactly at the oldest event says there is nothing older.
    expect((await searchAuditEvents(filters, 3)).olderCursor).toBeNull();
  });
});

async function exported(filters: AuditFilters, pageSize: number): Promise<{ pages: number; ids: string[] }> {
  const ids: string[] = [];
  let pages = 0;
  for await (const page of auditEventsForExport(filters, pageSize)) {
    pages++;
    ids.push(...page.map((e) => e.correlationId));
  }
  return { pages, ids };
}

describe("the export's event source", () => {
  it("yields every matching event in chain order, page by page", async () => {
    expect(await exported({}, 2)).toEqual({ pages: 3, ids: ["e1", "e2", "e3", "e4", "e5", "e6"] });
    expect(await exported({}, 4)).toEqual({ pages: 2, ids: ["e1", "e2", "e3", "e4", "e5", "e6"] });
    expect(await exported(parseAuditFilters({ target: "server" }), 2)).toEqual({ pages: 2, ids: ["e2", "e3", "e4"] });
    expect(await exported(parseAuditFilters({ outcome: "denied", actor: "nobody" }), 2)).toEqual({ pages: 0, ids: [] });
  });

  it("stops at the chain's end as it was when the export started", async () => {
    const pages = auditEventsForExport({}, 4);
    const first = await pages.next();
    await recordAuditBatch(db(), [event("late", { at: "2026-02-03T00:00:00Z" })]);
    const rest = [];
    for await (const page of pages) rest.push(...page);
    expect([...(first.value ?? []), ...rest].map((e) => e.correlationId)).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
    expect((await exported({}, 4)).ids.at(-1)).toBe("late");
  });
});

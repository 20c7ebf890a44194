import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import type { AuditAction } from "./actions";
import { recordAudit } from "./record";

describe("audit events", () => {
  it("are stored with actor, action, target, reason, correlation id and outcome", async () => {
    await recordAudit(db(), {
      actor: { id: "u1", label: "ada@example.com" },
      action: "user.create",
      target: { type: "user", id: "u2" },
      outcome: "success",
      reason: "onboarding",
      correlationId: "corr-1",
    });
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId: "corr-1" } });
    expect(event).toMatchObject({ actorLabel: "ada@example.com", action: "user.create", targetId: "u2", reason: "onboarding", outcome: "success" });
    expect(event.occurredAt).toBeInstanceOf(Date);
  });

  it("get a fresh correlation id outside a request", async () => {
    await recordAudit(db(), { actor: { label: "system" }, action: "x.test" as AuditAction, target: { type: "x" }, outcome: "success" });
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "x.test" } });
    expect(event.correlationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("store NUL, other controls, bidi overrides and lone surrogates in any field or details key as U+FFFD, never failing the write", async () => {
    const bad = "a\u0000b\u202ec\ud800d\u0007";
    await recordAudit(db(), {
      actor: { id: bad, label: bad },
      action: `x.${bad}` as AuditAction,
      target: { type: bad, id: bad },
      outcome: "success",
      reason: `${bad}\nsecond line`,
      correlationId: `unsafe-${bad}`,
      details: { [bad]: bad, nested: [{ tool: bad }] },
    });
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId: { startsWith: "unsafe-" } } });
    const clean = "a\ufffdb\ufffdc\ufffdd\ufffd";
    expect(event).toMatchObject({ actorId: clean, actorLabel: clean, action: `x.${clean}`, targetType: clean, targetId: clean, reason: `${clean}\nsecond line`, correlationId: `unsafe-${clean}` });
    expect(event.details).toEqual({ [clean]: clean, nested: [{ tool: clean }] });
  });

  it("cannot be updated, deleted or truncated: the database refuses", async () => {
    await recordAudit(db(), { actor: { label: "system" }, action: "x.keep" as AuditAction, target: { type: "x" }, outcome: "success" });
    await expect(db().$executeRaw`UPDATE audit_events SET reason = 'edited'`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM audit_events`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`TRUNCATE audit_events`).rejects.toThrow(/append-only/);
    expect(await db().auditEvent.count({ where: { action: "x.keep", reason: null } })).toBe(1);
  });
});

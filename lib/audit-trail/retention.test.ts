import { describe, expect, it } from "vitest";
import { db, type Tx } from "@/lib/db/prisma";
import type { AuditAction } from "@/lib/audit/actions";
import { type ChainReport, verifyAuditChain } from "@/lib/audit/chain";
import { checkpointStatementText, verificationKeys, signatureProblem } from "@/lib/audit/checkpoints";
import { recordAuditBatch } from "@/lib/audit/record";
import { signAuditCheckpoint } from "./head-checkpoint";
import { pruneAuditEvents } from "./retention";

const dayMs = 24 * 60 * 60 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * dayMs);
const event = (action: string, occurredAt: Date) => ({ actor: { id: null, label: "system" }, action: action as AuditAction, target: { type: "x" }, outcome: "success" as const, correlationId: `c-${action}`, occurredAt });

class Rollback extends Error {}

async function inRolledBack<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  let result: T | undefined;
  await db()
    .$transaction(async (tx) => {
      result = await work(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return result!;
}

// As the database's owner: triggers off.
const reportAfterOwnerDeletes = (seq: bigint) =>
  inRolledBack<ChainReport>(async (tx) => {
    await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
    await tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${seq}`;
    return verifyAuditChain(tx);
  });

const seqOf = async (action: string) => (await db().auditEvent.findFirstOrThrow({ where: { action } })).chainSeq;
const pruneEvents = () => db().auditEvent.findMany({ where: { action: "audit.prune" }, orderBy: { chainSeq: "asc" } });

describe("audit retention", () => {
  it("deletes the events older than the policy (365 days by default) behind a signed anchor, and the chain verifies intact", async () => {
    await recordAuditBatch(db(), [
      event("old.1", daysAgo(400)),
      event("old.2", daysAgo(399)),
      event("old.3", daysAgo(398)),
      event("mid.1", daysAgo(100)),
      event("mid.2", daysAgo(99)),
      event("recent", daysAgo(10)),
      event("today", new Date()),
    ]);
    const third = await db().auditEvent.findFirstOrThrow({ where: { action: "old.3" } });
    const result = await pruneAuditEvents(new Date(), { batchSize: 2 });
    expect(result).toMatchObject({ deleted: 3, throughSeq: 3n, stoppedAt: null });
    expect(await db().auditEvent.count({ where: { action: { startsWith: "old." } } })).toBe(0);

    const anchors = await db().auditCheckpoint.findMany({ where: { kind: "pruned" }, orderBy: { id: "asc" } });
    expect(anchors.map((anchor) => [anchor.chainSeq, anchor.hash])).toEqual([[2n, expect.any(String)], [3n, third.hash]]);
    const keys = await verificationKeys();
    for (const anchor of anchors) expect(signatureProblem(anchor, keys)).toBeNull();
    expect(JSON.parse(checkpointStatementText(anchors[1]!))).toMatchObject({ kind: "pruned", seq: "3", hash: third.hash });

    const [audited] = await pruneEvents();
    expect(audited).toMatchObject({ actorLabel: "system", outcome: "success", details: { deleted: 3, throughSeq: "3", retentionDays: 365 } });
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 5 });
  });

  it("does nothing, and records nothing, when nothing is old enough", async () => {
    expect(await pruneAuditEvents()).toMatchObject({ deleted: 0, throughSeq: null, stoppedAt: null });
    expect(await pruneEvents()).toHaveLength(1);
  });

  it("still catches an event deleted after the anchor, the first one after it included", async () => {
    for (const action of ["mid.1", "mid.2"]) {
      const seq = await seqOf(action);
      const report = await reportAfterOwnerDeletes(seq);
      expect(report).toMatchObject({ intact: false, findings: [{ problem: "missing", chainSeq: seq }] });
    }
  });

  it("follows a change of the policy: 30 days deletes the 100-day-old events and keeps the 10-day-old one", async () => {
    await db().setting.upsert({ where: { key: "audit.retentionDays" }, create: { key: "audit.retentionDays", value: 30 }, update: { value: 30 } });
    expect(await pruneAuditEvents()).toMatchObject({ deleted: 2, throughSeq: 5n });
    expect((await db().auditEvent.findMany({ orderBy: { chainSeq: "asc" } })).map((e) => e.action)).toEqual(["recent", "today", "audit.prune", "audit.prune"]);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 4 });
  });

  it("is where the checkpoint job verifies from: the first event after the newest anchor must link to it", async () => {
    const recent = await seqOf("recent");
    const { prevHash } = await db().auditEvent.findFirstOrThrow({ where: { chainSeq: recent } });
    const relink = (hash: string) =>
      db().$transaction(async (tx) => {
        await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
        await tx.$executeRaw`UPDATE audit_events SET prev_hash = ${hash} WHERE chain_seq = ${recent}`;
        await tx.$executeRaw`UPDATE audit_events a SET hash = audit_event_hash(a) WHERE chain_seq = ${recent}`;
      });
    await relink("f".repeat(64));
    await expect(signAuditCheckpoint()).rejects.toThrow(`the chain does not verify at #${recent}. Event #${recent} does not link to event #${recent - 1n}`);
    await relink(prevHash);
    // From the anchor at #5: "recent", "today", two audit.prune and the refusal.
    expect(await signAuditCheckpoint()).toMatchObject({ signed: true, verified: 5 });
  });

  it("lets the app's role delete nothing the policy keeps, even behind an anchor, nor anything old without one", async () => {
    const recent = await seqOf("recent");
    await expect(
      inRolledBack(async (tx) => {
        await tx.auditCheckpoint.create({ data: { kind: "pruned", chainSeq: recent, hash: "0".repeat(64), signedAt: new Date(), instance: "x", keyId: "0123456789abcdef", signature: "AA" } });
        return tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${recent}`;
      }),
    ).rejects.toThrow(/append-only: DELETE/);
    await recordAuditBatch(db(), [event("old.late", daysAgo(400))]);
    await expect(db().$executeRaw`DELETE FROM audit_events WHERE action = 'old.late'`).rejects.toThrow(/append-only: DELETE/);
    await expect(db().$executeRaw`UPDATE audit_events SET reason = 'x' WHERE action = 'old.late'`).rejects.toThrow(/append-only: UPDATE/);
    // A value the policy's schema refuses counts as the default (365 days) in the database too.
    await db().setting.update({ where: { key: "audit.retentionDays" }, data: { value: 0 } });
    await expect(
      inRolledBack(async (tx) => {
        await tx.auditCheckpoint.create({ data: { kind: "pruned", chainSeq: recent, hash: "0".repeat(64), signedAt: new Date(), instance: "x", keyId: "0123456789abcdef", signature: "AA" } });
        return tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${recent}`;
      }),
    ).rejects.toThrow(/append-only: DELETE/);
    await db().setting.update({ where: { key: "audit.retentionDays" }, data: { value: 1 } });
  });

  it("stops at an event that no longer matches its hash rather than delete the evidence, and records that it stopped", async () => {
    const recent = await seqOf("recent");
    await db().$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tx.$executeRaw`UPDATE audit_events SET reason = 'rewritten' WHERE chain_seq = ${recent}`;
    });
    expect(await pruneAuditEvents()).toMatchObject({ deleted: 0, stoppedAt: { seq: recent, reason: `event #${recent} no longer matches its hash` } });
    const last = (await pruneEvents()).at(-1)!;
    expect(last).toMatchObject({ outcome: "failure", reason: expect.stringMatching(new RegExp(`^Retention stopped at #${recent}: event #${recent} no longer matches its hash\\.`)) });
    expect(await verifyAuditChain()).toMatchObject({ intact: false, findings: [{ problem: "edited", chainSeq: recent }] });
  });
});

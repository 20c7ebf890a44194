import { describe, expect, it } from "vitest";
import { db, type Tx } from "@/lib/db/prisma";
import { type ChainReport, verifyAuditChain } from "./chain";
import { recordAudit, recordAuditBatch } from "./record";

const event = (action: string) => ({ actor: { id: "u1", label: "ada@example.com" }, action, target: { type: "x", id: "t1" }, outcome: "success" as const, correlationId: `c-${action}` });

class Rollback extends Error {}

// Tampers as the database's owner would, bypassing the append-only triggers, and rolls it all back.
async function reportAfterTampering(tamper: (tx: Tx) => Promise<unknown>): Promise<ChainReport> {
  let report: ChainReport | undefined;
  await db()
    .$transaction(async (tx) => {
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = replica");
      await tamper(tx);
      report = await verifyAuditChain(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return report!;
}

async function seqOf(action: string): Promise<bigint> {
  return (await db().auditEvent.findFirstOrThrow({ where: { action } })).chainSeq;
}

describe("the audit hash chain", () => {
  it("links every event to the one before it, across single and batched writes", async () => {
    await recordAudit(db(), event("chain.one"));
    await recordAuditBatch(db(), [event("chain.two"), event("chain.three"), event("chain.four")]);
    const events = await db().auditEvent.findMany({ orderBy: { chainSeq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["chain.one", "chain.two", "chain.three", "chain.four"]);
    expect(events[0]!.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 4 });
  });

  it("detects an edited row and names it", async () => {
    const seq = await seqOf("chain.two");
    const report = await reportAfterTampering((tx) => tx.$executeRaw`UPDATE audit_events SET reason = 'nothing happened' WHERE chain_seq = ${seq}`);
    expect(report).toMatchObject({ intact: false, checked: 1, firstBroken: { chainSeq: seq, problem: "edited" } });
  });

  it("detects a deleted row in the middle and a deleted tail", async () => {
    const middle = await seqOf("chain.three");
    const deleted = await reportAfterTampering((tx) => tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${middle}`);
    expect(deleted).toMatchObject({ intact: false, firstBroken: { chainSeq: middle, problem: "missing" } });
    const last = await seqOf("chain.four");
    const tail = await reportAfterTampering((tx) => tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${last}`);
    expect(tail).toMatchObject({ intact: false, firstBroken: { chainSeq: last, eventId: null, problem: "missing" } });
  });

  it("detects a row whose hash was recomputed to hide an edit: its successor no longer links to it", async () => {
    const seq = await seqOf("chain.two");
    const report = await reportAfterTampering(async (tx) => {
      await tx.$executeRaw`UPDATE audit_events SET reason = 'hidden' WHERE chain_seq = ${seq}`;
      await tx.$executeRaw`UPDATE audit_events a SET hash = audit_event_hash(a) WHERE chain_seq = ${seq}`;
    });
    expect(report).toMatchObject({ intact: false, firstBroken: { chainSeq: seq + 1n, problem: "relinked" } });
  });

  it("is intact again once the tampering is rolled back, and the app's role cannot update or delete rows", async () => {
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
    await expect(db().$executeRaw`UPDATE audit_events SET reason = 'edited'`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM audit_events WHERE action = 'chain.one'`).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 4 });
  });
});

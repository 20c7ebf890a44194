import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { chainEvent, reportAfterTampering } from "@/test/audit-tampering";
import { verifyAuditChain } from "./chain";
import { recordAudit, recordAuditBatch } from "./record";

async function seqOf(action: string): Promise<bigint> {
  return (await db().auditEvent.findFirstOrThrow({ where: { action } })).chainSeq;
}

describe("the audit hash chain", () => {
  it("links every event to the one before it, across single and batched writes", async () => {
    await recordAudit(db(), chainEvent("chain.one"));
    await recordAuditBatch(db(), [chainEvent("chain.two"), chainEvent("chain.three"), chainEvent("chain.four")]);
    const events = await db().auditEvent.findMany({ orderBy: { chainSeq: "asc" } });
    expect(events.map((e) => e.action)).toEqual(["chain.one", "chain.two", "chain.three", "chain.four"]);
    expect(events[0]!.prevHash).toBe("0".repeat(64));
    for (let i = 1; i < events.length; i++) expect(events[i]!.prevHash).toBe(events[i - 1]!.hash);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 4 });
  });

  it("detects an edited row and names it", async () => {
    const seq = await seqOf("chain.two");
    const report = await reportAfterTampering((tx) => tx.$executeRaw`UPDATE audit_events SET reason = 'nothing happened' WHERE chain_seq = ${seq}`);
    expect(report).toMatchObject({ intact: false, checked: 4, findings: [{ chainSeq: seq, problem: "edited", message: `Event #${seq} was changed after it was recorded: its fields no longer match its hash.` }] });
  });

  it("detects a deleted row in the middle and a deleted tail", async () => {
    const middle = await seqOf("chain.three");
    const deleted = await reportAfterTampering((tx) => tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${middle}`);
    expect(deleted).toMatchObject({ intact: false, findings: [{ chainSeq: middle, eventId: null, problem: "missing", message: `Event(s) #${middle} are missing: the chain skips from #${middle - 1n} to #${middle + 1n}.` }] });
    const last = await seqOf("chain.four");
    const tail = await reportAfterTampering((tx) => tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${last}`);
    expect(tail).toMatchObject({ intact: false, findings: [{ chainSeq: last, eventId: null, problem: "missing", message: `The last event(s) of the chain, #${last}, are missing: the chain head records #${last}.` }] });
  });

  it("detects a row whose hash was recomputed to hide an edit: its successor no longer links to it", async () => {
    const seq = await seqOf("chain.two");
    const report = await reportAfterTampering(async (tx) => {
      await tx.$executeRaw`UPDATE audit_events SET reason = 'hidden' WHERE chain_seq = ${seq}`;
      await tx.$executeRaw`UPDATE audit_events a SET hash = audit_event_hash(a) WHERE chain_seq = ${seq}`;
    });
    expect(report).toMatchObject({ intact: false, findings: [{ chainSeq: seq + 1n, problem: "relinked" }] });
    expect(report.intact ? [] : report.findings).toHaveLength(1);
  });

  it("names every place the chain was tampered with, not only the first: an edit, a relink, a gap and the head", async () => {
    const [one, two, three, four] = await Promise.all(["chain.one", "chain.two", "chain.three", "chain.four"].map(seqOf));
    const report = await reportAfterTampering(async (tx) => {
      await tx.$executeRaw`UPDATE audit_events SET actor_label = 'someone else' WHERE chain_seq = ${one}`;
      await tx.$executeRaw`UPDATE audit_events SET prev_hash = repeat('f', 64) WHERE chain_seq = ${two}`;
      await tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${three}`;
      await tx.$executeRaw`UPDATE audit_chain_head SET hash = repeat('e', 64)`;
    });
    expect(report.intact ? [] : report.findings.map((finding) => [finding.problem, finding.chainSeq])).toEqual([
      ["edited", one],
      // #2's own hash covers its prev_hash, so the changed link also shows as an edit of #2.
      ["edited", two],
      ["relinked", two],
      ["missing", three],
      ["head", four],
    ]);
  });

  it("keeps the chain head like the events: the app's role cannot update, delete or truncate it", async () => {
    const head = await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await expect(db().$executeRaw`UPDATE audit_chain_head SET seq = 0, hash = repeat('0', 64)`).rejects.toThrow(/kept by the audit chain: UPDATE/);
    await expect(db().$executeRaw`UPDATE audit_chain_head SET seq = seq + 1`).rejects.toThrow(/kept by the audit chain: UPDATE/);
    await expect(db().$executeRaw`DELETE FROM audit_chain_head`).rejects.toThrow(/kept by the audit chain: DELETE/);
    await expect(db().$executeRaw`TRUNCATE audit_chain_head`).rejects.toThrow(/kept by the audit chain: TRUNCATE/);
    expect(await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(head);
    await recordAudit(db(), chainEvent("chain.after-attempts"));
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
  });

  it("still records events when the head row was removed anyway, rebuilding it from the last event, and verification reports the incident", async () => {
    const report = await reportAfterTampering(async (tx) => {
      await tx.$executeRaw`DELETE FROM audit_chain_head`;
      await tx.$executeRawUnsafe("SET LOCAL session_replication_role = origin");
      const headless = await verifyAuditChain(tx);
      expect(headless).toMatchObject({ intact: false, findings: [{ problem: "head", message: expect.stringMatching(/head row is missing/) }] });
      const last = await tx.auditEvent.findFirstOrThrow({ orderBy: { chainSeq: "desc" } });
      await recordAudit(tx, chainEvent("chain.after-head-loss"));
      const next = await tx.auditEvent.findFirstOrThrow({ where: { action: "chain.after-head-loss" } });
      expect(next).toMatchObject({ chainSeq: last.chainSeq + 1n, prevHash: last.hash });
    });
    expect(report).toMatchObject({ intact: false, findings: [{ problem: "head_rebuilt", eventId: null }] });
    const [finding] = report.intact ? [] : report.findings;
    expect(finding!.message).toMatch(/^The chain head row was missing; it was rebuilt from the last event, #\d+\. \(.+\): events after #\d+ deleted together with the head could not be detected\.$/);
  });

  it("is intact again once the tampering is rolled back, and the app's role cannot update or delete rows", async () => {
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
    await expect(db().$executeRaw`UPDATE audit_events SET reason = 'edited'`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM audit_events WHERE action = 'chain.one'`).rejects.toThrow(/append-only/);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 5 });
  });
});

import { describe, expect, it } from "vitest";
import { verifyAuditChain } from "@/lib/audit/chain";
import { recordAuditBatch } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { JobScheduler, listJobs } from "@/lib/runtime/jobs";
import { periodicJobs } from "@/lib/runtime/periodic-jobs";
import { backupEvents, chainEvent, rewriteAndRehash, tamperAsOwner } from "@/test/audit-tampering";
import { AuditChainBrokenError, signAuditCheckpoint } from "./head-checkpoint";

// The checkpoint job verifies the events since the last checkpoint before it signs the head (decision 041).
// The tests run in order on one database: each breaks the chain as its owner could, sees the job refuse,
// then restores the events from a backup (an operator's repair) and sees it sign again.

let recorded = 0;
async function record(count: number): Promise<bigint> {
  await recordAuditBatch(db(), Array.from({ length: count }, () => chainEvent(`ckpt.event-${++recorded}`)));
  return headSeq();
}
const headSeq = async () => (await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
const lastCheckpoint = () => db().auditCheckpoint.findFirst({ where: { kind: "head" }, orderBy: { id: "desc" } });
const refusals = () => db().auditEvent.findMany({ where: { action: "audit.checkpoint_refused" }, orderBy: { chainSeq: "asc" } });
const incidents = () => db().auditChainIncident.findMany({ where: { kind: "checkpoint_refused" }, orderBy: { id: "asc" } });

/** The job refuses to sign, naming the position: no new checkpoint. Returns the error. */
async function expectRefusedAt(seq: bigint, message: RegExp, options?: { batchSize?: number }): Promise<AuditChainBrokenError> {
  const before = await lastCheckpoint();
  const error: unknown = await signAuditCheckpoint(new Date(), options).then(
    (outcome) => outcome,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AuditChainBrokenError);
  const refused = error as AuditChainBrokenError;
  expect(refused.message).toContain(`Audit checkpoint not signed: the chain does not verify at #${seq}.`);
  expect(refused.message).toMatch(message);
  expect(refused.finding.chainSeq).toBe(seq);
  expect((await lastCheckpoint())?.id).toBe(before?.id);
  return refused;
}

async function expectSigned(verified: number) {
  const head = await db().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  expect(await signAuditCheckpoint()).toMatchObject({ signed: true, verified, checkpoint: { kind: "head", chainSeq: head.seq, hash: head.hash } });
}

describe("the audit-checkpoint job verifies before it signs", () => {
  it("signs a clean chain, verifying every event from the start, then only those since the last checkpoint", async () => {
    await record(5);
    await expectSigned(5);
    await record(3);
    // The checkpoint's own event (#5, which must still have the hash signed) and #6–#8.
    await expectSigned(4);
    expect(await incidents()).toEqual([]);
  });

  it("refuses an event edited in place since the last checkpoint: records the break once, fails every run, signs again once repaired", async () => {
    const head = await record(3);
    const edited = head - 1n;
    const repair = await backupEvents(edited, edited);
    await tamperAsOwner((tx) => tx.$executeRaw`UPDATE audit_events SET reason = 'nothing happened' WHERE chain_seq = ${edited}`);

    const error = await expectRefusedAt(edited, new RegExp(`Event #${edited} was changed after it was recorded: its fields no longer match its hash\\.`));
    expect(error.finding).toMatchObject({ problem: "edited", eventId: expect.any(BigInt) });
    expect(await incidents()).toMatchObject([{ chainSeq: edited, detail: error.finding.message }]);
    const [refusal] = await refusals();
    expect(refusal).toMatchObject({
      actorLabel: "system",
      outcome: "failure",
      reason: `The chain head #${head} was not signed: the chain does not verify at #${edited}. ${error.finding.message}`,
      details: { chainSeq: edited.toString(), problem: "edited", from: "8", head: head.toString() },
    });

    // The scheduler's run fails with the position (Admin → Background jobs shows it red); nothing is recorded twice.
    const scheduler = new JobScheduler({ instanceId: "ckpt-test", jobs: periodicJobs().filter((job) => job.name === "audit-checkpoint") });
    expect(await scheduler.tick()).toEqual(["audit-checkpoint"]);
    await scheduler.stop();
    const [job] = await listJobs();
    expect(job).toMatchObject({ name: "audit-checkpoint", lastOutcome: "failed", consecutiveFailures: 1 });
    expect(job!.lastError).toContain(`does not verify at #${edited}.`);
    await expectRefusedAt(edited, /was changed after it was recorded/);
    expect(await incidents()).toHaveLength(1);
    expect(await refusals()).toHaveLength(1);

    await repair();
    // From the checkpoint at #8: #8–#11 and the refusal, #12.
    await expectSigned(5);
    // The incident stays on record; the full verifier reports the break while it is there, not after.
    expect(await verifyAuditChain()).toMatchObject({ intact: true });
  });

  it("refuses an edit hidden by re-hashing the edited event: its successor no longer links to it", async () => {
    const head = await record(3);
    const repair = await backupEvents(head - 2n, head);
    await tamperAsOwner(rewriteAndRehash(head - 1n, { to: head - 1n }));
    await expectRefusedAt(head, new RegExp(`Event #${head} does not link to event #${head - 1n}`));
    expect((await refusals()).at(-1)!.details).toMatchObject({ problem: "relinked" });
    await repair();
    await expectSigned(5);
  });

  it("refuses an edit re-hashed through the last event when the head was left as it was", async () => {
    const head = await record(3);
    const repair = await backupEvents(head - 2n, head);
    await tamperAsOwner(rewriteAndRehash(head - 1n, { head: false }));
    await expectRefusedAt(head, new RegExp(`The chain head's hash is not the hash of the last event, #${head}`));
    await repair();
    await expectSigned(5);
  });

  it("refuses a deleted event since the last checkpoint", async () => {
    const head = await record(3);
    const repair = await backupEvents(head - 1n, head - 1n);
    await tamperAsOwner((tx) => tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = ${head - 1n}`);
    await expectRefusedAt(head - 1n, new RegExp(`Event\\(s\\) #${head - 1n} are missing: the chain skips from #${head - 2n} to #${head}\\.`));
    await repair();
    await expectSigned(5);
  });

  it("verifies a large segment in keyset batches: the same break is found at any batch size, deep in the segment", async () => {
    const from = (await lastCheckpoint())!.chainSeq;
    const head = await record(23);
    const repair = await backupEvents(head - 1n, head - 1n);
    await tamperAsOwner((tx) => tx.$executeRaw`UPDATE audit_events SET actor_label = 'someone else' WHERE chain_seq = ${head - 1n}`);
    for (const batchSize of [1, 4, 5, 5_000]) await expectRefusedAt(head - 1n, /was changed after it was recorded/, { batchSize });
    expect(await refusals()).toHaveLength(5);
    await repair();
    // The checkpoint's event, the 23 new ones and the refusal, four at a time.
    expect(await signAuditCheckpoint(new Date(), { batchSize: 4 })).toMatchObject({ signed: true, verified: Number(head - from) + 2 });
  });

  it("refuses to start from a forged checkpoint", async () => {
    const real = (await lastCheckpoint())!;
    const head = await record(1);
    const forged = await db().auditCheckpoint.create({ data: { ...real, id: undefined, chainSeq: head, hash: "a".repeat(64) } });
    await expectRefusedAt(head, /signature that does not match its statement/);
    await tamperAsOwner((tx) => tx.auditCheckpoint.delete({ where: { id: forged.id } }));
    await expectSigned(3);
  });

  it("signs an owner's rewrite since the last checkpoint, head included, as it stands (decision 010's limit, now one period wide)", async () => {
    const head = await record(3);
    await tamperAsOwner(rewriteAndRehash(head - 1n));
    await expectSigned(4);
  });

  it("refuses once the events up to the last checkpoint were rewritten and re-hashed, head included: the checkpoint's event has another hash", async () => {
    const checkpoint = (await lastCheckpoint())!.chainSeq;
    await record(2);
    // #checkpoint - 1 is the event the previous test rewrote.
    await tamperAsOwner(rewriteAndRehash(checkpoint - 2n));
    await expectRefusedAt(checkpoint, new RegExp(`Event #${checkpoint} no longer has the hash its checkpoint signed`));
    expect((await refusals()).at(-1)!.details).toMatchObject({ problem: "checkpoint", chainSeq: checkpoint.toString() });
    expect(await verifyAuditChain()).toMatchObject({ intact: false, findings: [{ problem: "checkpoint", chainSeq: checkpoint }] });
  });
});

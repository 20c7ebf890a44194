import { createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { signingKeySet } from "@/lib/signing/keys";
import { chainEvent, reportAfterTampering, rewriteAndRehash } from "@/test/audit-tampering";
import { type ChainReport, verifyAuditChain } from "./chain";
import { signAuditCheckpoint } from "@/lib/audit-trail/head-checkpoint";
import { checkpointStatementText } from "./checkpoints";
import { recordAudit } from "./record";

const problems = (report: ChainReport) => (report.intact ? [] : report.findings.map((finding) => [finding.problem, finding.chainSeq]));

describe("signed audit checkpoints", () => {
  it("has nothing to sign before the first event", async () => {
    expect(await signAuditCheckpoint()).toEqual({ signed: false, reason: "The audit chain has no events yet." });
  });

  it("misses an owner's rewrite of history without a checkpoint (the limit decision 010 names)", async () => {
    for (const name of ["one", "two", "three", "four"]) await recordAudit(db(), chainEvent(`cp.${name}`));
    expect(await reportAfterTampering(rewriteAndRehash(2n))).toEqual({ intact: true, checked: 4 });
  });

  it("signs the head, skips while it has not moved, and anyone can check the signature with the published key", async () => {
    const first = await signAuditCheckpoint(new Date("2026-12-02T10:00:00.123Z"));
    if (!first.signed) throw new Error(first.reason);
    const last = await db().auditEvent.findFirstOrThrow({ where: { chainSeq: 4n } });
    expect(first.checkpoint).toMatchObject({ kind: "head", chainSeq: 4n, hash: last.hash, signedAt: new Date("2026-12-02T10:00:00.123Z") });
    expect(await signAuditCheckpoint()).toEqual({ signed: false, reason: "The head has not moved since the last checkpoint (#4)." });

    const statement = checkpointStatementText(first.checkpoint);
    expect(JSON.parse(statement)).toEqual({ schema: "toolgate.audit-checkpoint/v1", kind: "head", seq: "4", hash: last.hash, signedAt: "2026-12-02T10:00:00.123Z", instance: first.checkpoint.instance });
    const jwk = (await signingKeySet()).keys.find((key) => key.kid === first.checkpoint.keyId)!;
    const key = createPublicKey({ key: { ...jwk }, format: "jwk" });
    expect(verify(null, Buffer.from(statement), key, Buffer.from(first.checkpoint.signature, "base64url"))).toBe(true);
    expect(verify(null, Buffer.from(statement.replace(last.hash, "0".repeat(64))), key, Buffer.from(first.checkpoint.signature, "base64url"))).toBe(false);
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 4 });
  });

  it("catches the same rewrite once a checkpoint was signed after the edited event", async () => {
    const report = await reportAfterTampering(rewriteAndRehash(2n));
    expect(problems(report)).toEqual([["checkpoint", 4n]]);
    expect(report.intact ? "" : report.findings[0]!.message).toMatch(/^Checkpoint \d+, signed 2026-12-02T10:00:00\.123Z by .+, recorded another hash for event #4: the chain up to it was rewritten after it was signed\.$/);
  });

  it("catches a chain cut back below a checkpoint, head included", async () => {
    const report = await reportAfterTampering(async (tx) => {
      const three = await tx.auditEvent.findFirstOrThrow({ where: { chainSeq: 3n } });
      await tx.$executeRaw`DELETE FROM audit_events WHERE chain_seq = 4`;
      await tx.$executeRaw`UPDATE audit_chain_head SET seq = 3, hash = ${three.hash}`;
    });
    expect(problems(report)).toEqual([["checkpoint", 4n]]);
    expect(report.intact ? "" : report.findings[0]!.message).toMatch(/vouches for event #4, which is gone/);
  });

  it("catches a forged or altered checkpoint, and one naming a key that was never published", async () => {
    const real = await db().auditCheckpoint.findFirstOrThrow();
    const flipped = Buffer.from(real.signature, "base64url");
    flipped[0] = flipped[0]! ^ 1;
    const report = await reportAfterTampering(async (tx) => {
      await tx.auditCheckpoint.create({ data: { ...real, id: undefined, chainSeq: 3n, signature: flipped.toString("base64url") } });
      await tx.auditCheckpoint.create({ data: { ...real, id: undefined, hash: "a".repeat(64) } });
      await tx.auditCheckpoint.create({ data: { ...real, id: undefined, keyId: "0123456789abcdef" } });
    });
    expect(problems(report)).toEqual([["checkpoint", 3n], ["checkpoint", 4n], ["checkpoint", 4n]]);
    const messages = report.intact ? [] : report.findings.map((finding) => finding.message);
    expect(messages.filter((message) => /signature that does not match its statement/.test(message))).toHaveLength(2);
    expect(messages.filter((message) => /names key 0123456789abcdef, which is not among the published signing keys/.test(message))).toHaveLength(1);
  });

  it("keeps checkpoints append-only for the app's role, and signs again once the head moved", async () => {
    await expect(db().$executeRaw`UPDATE audit_checkpoints SET hash = repeat('0', 64)`).rejects.toThrow(/append-only/);
    await expect(db().$executeRaw`DELETE FROM audit_checkpoints`).rejects.toThrow(/append-only/);
    await recordAudit(db(), chainEvent("cp.five"));
    expect(await signAuditCheckpoint()).toMatchObject({ signed: true, checkpoint: { chainSeq: 5n } });
    expect(await verifyAuditChain()).toEqual({ intact: true, checked: 5 });
  });
});

import { createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import canonicalize from "canonicalize";
import { instanceId } from "@/lib/config/instance";
import { db, type Tx } from "@/lib/db/prisma";
import { activeSigningKey, publicKeys, signingAlgorithm } from "@/lib/signing/keys";

// Signed checkpoints of the audit hash chain (docs/decisions/041). The database's owner can rewrite the
// chain and re-hash it from the edit on (decision 010's limit); a checkpoint signed with Toolgate's Ed25519
// key, and copied by outsiders from the public endpoint, pins the hash an event had when it was signed.

export const checkpointSchemaId = "toolgate.audit-checkpoint/v1";

/** head: the chain's last event when signed. pruned: the last event retention deleted (the chain's new anchor). */
export type CheckpointKind = "head" | "pruned";

/** What is signed, as RFC 8785 canonical JSON in UTF-8. The position is a decimal string (it is a bigint). */
export interface CheckpointStatement {
  schema: typeof checkpointSchemaId;
  kind: CheckpointKind;
  seq: string;
  hash: string;
  /** ISO 8601, milliseconds. */
  signedAt: string;
  instance: string;
}

export interface CheckpointRow {
  id: bigint;
  kind: string;
  chainSeq: bigint;
  hash: string;
  signedAt: Date;
  instance: string;
  keyId: string;
  signature: string;
}

export function checkpointStatement(row: Pick<CheckpointRow, "kind" | "chainSeq" | "hash" | "signedAt" | "instance">): CheckpointStatement {
  return { schema: checkpointSchemaId, kind: row.kind as CheckpointKind, seq: row.chainSeq.toString(), hash: row.hash, signedAt: row.signedAt.toISOString(), instance: row.instance };
}

/** The exact text that is signed. */
export function checkpointStatementText(row: Parameters<typeof checkpointStatement>[0]): string {
  return canonicalize(checkpointStatement(row))!;
}

/** Signs and records a checkpoint at (seq, hash); in the caller's transaction when one is given. */
export async function recordCheckpoint(client: Tx, kind: CheckpointKind, at: { seq: bigint; hash: string }, now = new Date()): Promise<CheckpointRow> {
  const key = await activeSigningKey();
  // Stored at millisecond precision, as signed.
  const signedAt = new Date(now.getTime());
  const fields = { kind, chainSeq: at.seq, hash: at.hash, signedAt, instance: instanceId() };
  const signature = sign(null, Buffer.from(checkpointStatementText(fields), "utf8"), key.privateKey).toString("base64url");
  return client.auditCheckpoint.create({ data: { ...fields, keyId: key.id, signature } });
}

/** Why a checkpoint's signature does not hold, or null when it does. */
export function signatureProblem(row: CheckpointRow, keys: Map<string, KeyObject>): string | null {
  const key = keys.get(row.keyId);
  if (!key) return `Checkpoint ${row.id} (#${row.chainSeq}) names key ${row.keyId}, which is not among the published signing keys.`;
  const signature = Buffer.from(row.signature, "base64url");
  const valid = signature.length === 64 && verify(null, Buffer.from(checkpointStatementText(row), "utf8"), key, signature);
  return valid ? null : `Checkpoint ${row.id} (#${row.chainSeq}) has a signature that does not match its statement: the checkpoint was forged or altered.`;
}

/** The published Ed25519 keys by id, as key objects. */
export async function verificationKeys(): Promise<Map<string, KeyObject>> {
  const keys = await publicKeys();
  return new Map(keys.filter((key) => key.algorithm === signingAlgorithm).map((key) => [key.id, createPublicKey(key.publicKeyPem)]));
}

export interface CheckpointFinding {
  chainSeq: bigint;
  eventId: bigint | null;
  message: string;
}

export interface CheckpointCheck {
  /** The newest validly signed retention anchor: the chain is verified from the event after it. */
  anchor: { seq: bigint; hash: string } | null;
  findings: CheckpointFinding[];
}

interface CheckedRow extends CheckpointRow {
  event_id: bigint | null;
  event_hash: string | null;
}

/**
 * Checks every checkpoint: its signature against the published keys, and that the event it signed still has
 * that hash (events before the retention anchor are gone by design). Returns the anchor to verify from.
 */
export async function checkCheckpoints(client: Tx, maxFindings: number): Promise<CheckpointCheck> {
  const keys = await verificationKeys();
  const rows = await client.$queryRaw<CheckedRow[]>`
    SELECT c."id", c."kind", c."chain_seq" AS "chainSeq", c."hash", c."signed_at" AS "signedAt", c."instance", c."key_id" AS "keyId", c."signature",
           a."id" AS "event_id", a."hash" AS "event_hash"
    FROM "audit_checkpoints" c LEFT JOIN "audit_events" a ON a."chain_seq" = c."chain_seq" ORDER BY c."chain_seq", c."id"`;
  const findings: CheckpointFinding[] = [];
  const valid: CheckedRow[] = [];
  for (const row of rows) {
    const problem = signatureProblem(row, keys);
    if (problem) findings.push({ chainSeq: row.chainSeq, eventId: row.event_id, message: problem });
    else valid.push(row);
  }
  const anchorRow = valid.filter((row) => row.kind === "pruned").at(-1);
  const anchor = anchorRow ? { seq: anchorRow.chainSeq, hash: anchorRow.hash } : null;
  for (const row of valid) {
    if (findings.length >= maxFindings) break;
    const at = `Checkpoint ${row.id}, signed ${row.signedAt.toISOString()} by ${row.instance},`;
    if (row.event_hash === null) {
      if (anchor && row.chainSeq <= anchor.seq) continue;
      findings.push({ chainSeq: row.chainSeq, eventId: null, message: `${at} vouches for event #${row.chainSeq}, which is gone: the chain was cut back after it was signed.` });
    } else if (row.event_hash !== row.hash) {
      findings.push({ chainSeq: row.chainSeq, eventId: row.event_id, message: `${at} recorded another hash for event #${row.chainSeq}: the chain up to it was rewritten after it was signed.` });
    }
  }
  return { anchor, findings };
}

/** Where the next head checkpoint verifies from, or why it cannot. */
export type SegmentStart =
  /** The newest checkpoint, head or pruned anchor (null: none yet, verify from the chain's start). */
  | { start: { seq: bigint; hash: string; /** A head checkpoint: its event is still there. */ kept: boolean } | null; forged?: never }
  /** The newest checkpoint's signature does not hold: it was forged or altered, a break in itself. */
  | { start?: never; forged: CheckpointFinding };

/**
 * The newest checkpoint by position (at one position the later: retention prunes up to a head checkpoint after
 * it was signed), if its signature holds.
 */
export async function newestSignedCheckpoint(client: Tx): Promise<SegmentStart> {
  const [row] = await client.$queryRaw<CheckpointRow[]>`
    SELECT c."id", c."kind", c."chain_seq" AS "chainSeq", c."hash", c."signed_at" AS "signedAt", c."instance", c."key_id" AS "keyId", c."signature"
    FROM "audit_checkpoints" c ORDER BY c."chain_seq" DESC, c."id" DESC LIMIT 1`;
  if (!row) return { start: null };
  const problem = signatureProblem(row, await verificationKeys());
  if (problem) return { forged: { chainSeq: row.chainSeq, eventId: null, message: problem } };
  return { start: { seq: row.chainSeq, hash: row.hash, kept: row.kind === "head" } };
}

/** The newest head checkpoint, for the audit page; null before the first. */
export function latestHeadCheckpoint(): Promise<Pick<CheckpointRow, "chainSeq" | "signedAt"> | null> {
  return db().auditCheckpoint.findFirst({ where: { kind: "head" }, orderBy: { id: "desc" }, select: { chainSeq: true, signedAt: true } });
}

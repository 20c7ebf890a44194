import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { publicKeys, signingAlgorithm } from "@/lib/signing/keys";
import { parseInput } from "@/lib/validation";
import { checkpointSchemaId, checkpointStatementText } from "./checkpoints";

// The public list of signed audit checkpoints (GET /api/v1/audit/checkpoints, docs/decisions/041): newest
// first, with the exact statement text each signature covers and the published keys, so anyone can keep
// copies and check them later with nothing but an Ed25519 verifier.

export const checkpointQuery = z.object({
  limit: z
    .string({ error: "limit must be a whole number from 1 to 200." })
    .max(3, "limit must be a whole number from 1 to 200.")
    .regex(/^\d+$/, "limit must be a whole number from 1 to 200.")
    .transform(Number)
    .pipe(z.number().int().min(1, "limit must be a whole number from 1 to 200.").max(200, "limit must be a whole number from 1 to 200."))
    .optional(),
  before: z
    .string({ error: "before must be a checkpoint id (the next cursor of a previous page)." })
    .max(19, "before must be a checkpoint id (the next cursor of a previous page).")
    .regex(/^[1-9]\d*$/, "before must be a checkpoint id (the next cursor of a previous page).")
    .optional(),
  kind: z.enum(["head", "pruned"], { error: "kind must be head or pruned." }).optional(),
});

export const checkpointView = z.object({
  id: z.string(),
  kind: z.enum(["head", "pruned"]),
  seq: z.string().describe("The chain position (decimal)."),
  hash: z.string().describe("The hash of the event at that position (hex SHA-256)."),
  signedAt: z.string(),
  instance: z.string(),
  keyId: z.string(),
  signature: z.string().describe("Ed25519 over the UTF-8 bytes of statement, base64url."),
  statement: z.string().describe("The RFC 8785 canonical JSON that was signed: {schema, kind, seq, hash, signedAt, instance}."),
});

export const checkpointPage = z
  .object({
    schema: z.literal(checkpointSchemaId),
    checkpoints: z.array(checkpointView),
    keys: z.array(z.object({ id: z.string(), algorithm: z.string(), publicKeyPem: z.string(), active: z.boolean() })),
    next: z.string().nullable().describe("Pass as before= for the next (older) page; null on the last."),
  })
  .meta({ id: "AuditCheckpointPage" });

export type CheckpointPage = z.output<typeof checkpointPage>;

/** One page of checkpoints, newest first; `query` is the request's query parameters. */
export async function listAuditCheckpoints(query: unknown): Promise<CheckpointPage> {
  const { limit = 50, before, kind } = parseInput(checkpointQuery, query);
  const rows = await db().auditCheckpoint.findMany({
    where: { ...(before && { id: { lt: BigInt(before) } }), ...(kind && { kind }) },
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const keys = await publicKeys();
  return {
    schema: checkpointSchemaId,
    checkpoints: page.map((row) => ({
      id: row.id.toString(),
      kind: row.kind as "head" | "pruned",
      seq: row.chainSeq.toString(),
      hash: row.hash,
      signedAt: row.signedAt.toISOString(),
      instance: row.instance,
      keyId: row.keyId,
      signature: row.signature,
      statement: checkpointStatementText(row),
    })),
    keys: keys.filter((key) => key.algorithm === signingAlgorithm).map(({ id, algorithm, publicKeyPem, active }) => ({ id, algorithm, publicKeyPem, active })),
    next: rows.length > limit ? page.at(-1)!.id.toString() : null,
  };
}

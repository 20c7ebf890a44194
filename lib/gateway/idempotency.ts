import { db } from "@/lib/db/prisma";
import type { CallResult } from "./backend-exchange";
import { idempotencyKeyField } from "./idempotency-key";
import type { ResolvedTool } from "./resolution";

// Idempotency keys (decision 035). A tools/call to a tool that is not read-only may carry
// `_meta["io.toolgate/idempotency-key"]`; the first call with a key claims (agent, key) in PostgreSQL —
// so the claim holds across restarts and instances — and records its result. A retry with the same key
// and arguments within the entry's window gets that result without reaching the backend; with other
// arguments it is refused. A concurrent retry waits briefly for the first call, then is told to retry.
// A first call that fails (an error result or none) gives its key up, so a retry acts.

/** How long a retry waits for the first call with its key to finish before it is told to retry. */
const waitForFirstMs = 3_000;
const pollMs = 50;
/** A claim still running after this long outlived any backend call (60 s at most): its process ended mid-call. */
const abandonedAfterMs = 120_000;
/** Expired rows are deleted by the "idempotency-cleanup" job (lib/runtime/periodic-jobs.ts), a bounded batch at a time. */
const cleanupBatch = 1_000;

export interface IdempotencyClaim {
  agentId: string;
  key: string;
}

/** What the call does with its key: act and record (claim), answer the first result (replay), or refuse. */
export type IdempotencyOutcome = { claim: IdempotencyClaim } | { replay: CallResult } | { refusal: string; code: number };

interface ExistingRow {
  server_id: string;
  tool: string;
  arguments_hash: string;
  status: string;
  result: CallResult | null;
  created_at: Date;
}

/** Deletes a batch of keys whose window has passed; returns how many. */
export function deleteExpiredIdempotencyKeys(): Promise<number> {
  return db().$executeRaw`DELETE FROM "idempotency_records" WHERE ctid = ANY(ARRAY(SELECT ctid FROM "idempotency_records" WHERE "expires_at" <= now() LIMIT ${cleanupBatch}))`;
}

/** Deletes keys whose window has passed, batch after batch, up to `maxBatches`; returns how many. */
export async function deleteAllExpiredIdempotencyKeys(maxBatches = 20): Promise<number> {
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const count = await deleteExpiredIdempotencyKeys();
    deleted += count;
    if (count < cleanupBatch) break;
  }
  return deleted;
}

/** Claims the key for this call, or takes over one whose window has passed; false when a live claim holds it. */
async function claim(agentId: string, key: string, tool: ResolvedTool, argumentsHash: string): Promise<boolean> {
  const rows = await db().$queryRaw<{ claimed: boolean }[]>`
    INSERT INTO "idempotency_records" ("agent_id", "key", "server_id", "tool", "arguments_hash", "expires_at")
    VALUES (${agentId}::uuid, ${key}, ${tool.serverId}::uuid, ${tool.toolName}, ${argumentsHash}, now() + make_interval(secs => ${tool.idempotencyWindowSeconds}))
    ON CONFLICT ("agent_id", "key") DO UPDATE SET
      "server_id" = EXCLUDED."server_id", "tool" = EXCLUDED."tool", "arguments_hash" = EXCLUDED."arguments_hash",
      "status" = 'running', "result" = NULL, "created_at" = now(), "expires_at" = EXCLUDED."expires_at"
    WHERE "idempotency_records"."expires_at" <= now()
    RETURNING true AS "claimed"`;
  return rows.length > 0;
}

async function existing(agentId: string, key: string): Promise<ExistingRow | undefined> {
  const rows = await db().$queryRaw<ExistingRow[]>`
    SELECT "server_id", "tool", "arguments_hash", "status", "result", "created_at" FROM "idempotency_records"
    WHERE "agent_id" = ${agentId}::uuid AND "key" = ${key} AND "expires_at" > now()`;
  return rows[0];
}

/**
 * What a call to `tool` with this key and these arguments does. Called after every check of the call,
 * just before it would be forwarded; a key on a read-only tool is not looked at (reads are safe to repeat).
 */
export async function claimIdempotencyKey(agentId: string, key: string, tool: ResolvedTool, argumentsHash: string): Promise<IdempotencyOutcome> {
  if (tool.idempotencyWindowSeconds === 0) {
    return { refusal: `Invalid params: ${tool.serverName} accepts no idempotency keys (its owner turned them off): call without params._meta["${idempotencyKeyField}"].`, code: -32602 };
  }
  const started = Date.now();
  for (;;) {
    if (await claim(agentId, key, tool, argumentsHash)) return { claim: { agentId, key } };
    const row = await existing(agentId, key);
    // Given up (the first call failed) or expired between the two statements: claim again.
    if (!row && Date.now() - started < waitForFirstMs) continue;
    if (!row) return { refusal: "A call with this idempotency key is still in progress: retry shortly to get its result.", code: -32000 };
    if (row.server_id !== tool.serverId || row.tool !== tool.toolName || row.arguments_hash !== argumentsHash) {
      return { refusal: "Invalid params: idempotency key reused with different arguments (or another tool) within its window: use a new key for a new call.", code: -32602 };
    }
    if (row.status === "done" && row.result) return { replay: row.result };
    if (Date.now() - row.created_at.getTime() > abandonedAfterMs) {
      return { refusal: "The first call with this idempotency key was interrupted at its backend; whether it acted is unknown. Check, then use a new key.", code: -32000 };
    }
    if (Date.now() - started >= waitForFirstMs) {
      return { refusal: "A call with this idempotency key is still in progress: retry shortly to get its result.", code: -32000 };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** Records the first call's result for its retries; a failed call gives the key up instead, so a retry acts. */
// The call's answer goes out even if this fails: its retries are then told it is in progress, later that it was interrupted.
export async function settleIdempotencyKey({ agentId, key }: IdempotencyClaim, result: CallResult | null): Promise<void> {
  try {
    if (result === null || result.isError) {
      await db().$executeRaw`DELETE FROM "idempotency_records" WHERE "agent_id" = ${agentId}::uuid AND "key" = ${key} AND "status" = 'running'`;
      return;
    }
    await db().$executeRaw`
      UPDATE "idempotency_records" SET "status" = 'done', "result" = ${JSON.stringify(result)}::jsonb
      WHERE "agent_id" = ${agentId}::uuid AND "key" = ${key} AND "status" = 'running'`;
  } catch (error) {
    console.error("[toolgate] recording an idempotency key's result failed:", error instanceof Error ? error.message : error);
  }
}

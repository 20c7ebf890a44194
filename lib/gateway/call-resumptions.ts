import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { AgentIdentity } from "@/lib/agents/keys";
import { isListening } from "@/lib/db/listener";
import { db } from "@/lib/db/prisma";
import { singleton } from "@/lib/runtime/singleton";
import { Wakeups } from "@/lib/runtime/wakeups";
import { cutoff } from "@/lib/runtime/cutoff";
import { type CallRetry, heldElsewhere, isSuspendedHere, refuse, resumeCall, suspensionTimeoutMs } from "./suspended-calls";

// A 2026-07-28 client's retry of a call waiting for input (./suspended-calls.ts) may reach another instance than
// the one whose memory holds the call: no sticky routing (decision 038). The instance the retry reached (B) has
// authenticated the client as usual; it records the retry in `call_resumptions` — the identity it authenticated,
// as facts, never a credential — and notifies the row's id on `toolgate_call_resumptions`, in one statement. The
// holder (A, whose tag starts the requestState) claims the row, resumes the call exactly as if the retry had
// reached it (./resumption-holder.ts: every check of resumeCall applies, and the call's events are audited there)
// and stores the outcome, notifying `toolgate_call_resumptions_done`. B answers its client with that outcome —
// the tool's result, the next input_required (naming A again), or A's JSON-RPC error — and deletes the row.
// Nobody claims the row within `claimMs` (A died, or the tag is stale): B removes the row and refuses, audited.
// B waits no longer than a suspension waits for its retry, nor past its client's abort; then it refuses,
// audited, and tells A, which cancels the call as a client's closed request would.

export const resumptionsChannel = "toolgate_call_resumptions";
export const resumptionsDoneChannel = "toolgate_call_resumptions_done";
/** How long the holder has to claim a forwarded retry before B takes it as gone. */
export const claimMs = 2_000;
/** How often a waiting B re-reads its row when nothing wakes it: a safety net while listening, the pace while not. */
const pollMs = { listening: 2_000, unlistened: 250 };
/** At most the gateway's body limit (lib/gateway/http.ts maxBodyBytes) is stored for one retry. */
export const maxForwardedBytes = 4 * 1024 * 1024;
/** Rows older than this are left behind (their B is gone): the call-resumption-cleanup job deletes them. */
const rowMarginMs = 60_000;

/** A JSON-RPC error as the SDK answers a thrown error: its code if it has one, else internal error. */
export const storedError = z.object({ code: z.number().int(), message: z.string(), data: z.unknown().optional() });

/**
 * The client's retry of a suspended call: resumed here if this process holds the call; forwarded to the instance
 * named by the requestState's tag if it has the shape this gateway gives and another instance's tag.
 */
export function resumeAnywhere(retry: CallRetry): Promise<unknown> {
  const { requestState } = retry;
  if (typeof requestState === "string" && !isSuspendedHere(requestState) && heldElsewhere(requestState)) {
    return resumeElsewhere({ ...retry, requestState });
  }
  return resumeCall(retry);
}

const expiredState = "Invalid or expired requestState: no call of this agent's waits for it.";

async function resumeElsewhere({ agent, name, args, requestState, inputResponses, correlationId, clientSignal, endpoint }: CallRetry & { requestState: string }): Promise<unknown> {
  // No suspension is of a tool whose name holds control characters (a view's tools have none): refused here as any other state.
  if (/[\u0000-\u001f\u007f]/.test(name)) refuse(agent, name, correlationId, expiredState, expiredState, -32602);
  const argumentsJson = JSON.stringify(args);
  const responsesJson = inputResponses === undefined ? null : JSON.stringify(inputResponses);
  if (Buffer.byteLength(argumentsJson) + Buffer.byteLength(responsesJson ?? "") > maxForwardedBytes) {
    const toAgent = `Invalid params: the retry's arguments and inputResponses exceed ${maxForwardedBytes / 1024 / 1024} MB.`;
    refuse(agent, name, correlationId, "retry forwarded to another gateway instance: arguments and inputResponses too large", toAgent, -32602);
  }
  const id = randomUUID();
  const holder = requestState.slice(0, 8);
  // Watching before the row exists, so no notification about it is missed.
  const watch = waiters.watch(id);
  try {
    await db().$executeRaw`
      WITH recorded AS (
        INSERT INTO "call_resumptions" ("id", "holder", "request_state", "agent", "endpoint_path", "tool", "arguments", "input_responses", "correlation_id")
        VALUES (${id}::uuid, ${holder}, ${requestState}, ${JSON.stringify(identityFacts(agent))}::jsonb, ${endpoint?.path ?? null}, ${name}, ${argumentsJson}, ${responsesJson}, ${correlationId})
        RETURNING "id", "holder")
      SELECT pg_notify(${resumptionsChannel}, json_build_object('h', recorded."holder", 'r', recorded."id"::text)::text) FROM recorded`;
    const claimBy = Date.now() + claimMs;
    const giveUpAt = Date.now() + suspensionTimeoutMs();
    for (;;) {
      watch.consume();
      const row = await db().callResumption.findUnique({ where: { id }, select: { claimedAt: true, finishedAt: true, result: true, error: true } });
      if (row?.finishedAt) {
        await db().callResumption.deleteMany({ where: { id } });
        return outcomeOf(row);
      }
      if (!row || (!row.claimedAt && Date.now() >= claimBy)) {
        // One statement decides between B giving up and a late claim: whichever comes first wins.
        const dropped = row ? (await db().callResumption.deleteMany({ where: { id, claimedAt: null } })).count : 1;
        if (dropped === 1) {
          const toAgent = "Invalid params: the instance of the gateway holding the call waiting for this input is gone; start the call again.";
          refuse(agent, name, correlationId, "requestState issued by another gateway instance, which did not take the retry: the instance holding the call is gone", toAgent, -32602);
        }
        continue;
      }
      if (clientSignal?.aborted || Date.now() >= giveUpAt) {
        await giveUp(id);
        if (clientSignal?.aborted) refuse(agent, name, correlationId, "the client closed its retry while it was forwarded to the instance holding the call", "The request was cancelled.", -32001);
        const toAgent = `The instance of the gateway holding this call did not answer its retry within ${Math.round(suspensionTimeoutMs() / 1000)} s; the call was cancelled.`;
        refuse(agent, name, correlationId, "the instance holding the call did not answer the forwarded retry in time; the call was cancelled there", toAgent, -32001);
      }
      const untilNext = row.claimedAt ? giveUpAt - Date.now() : claimBy - Date.now();
      await watch.sleep(Math.max(0, Math.min(isListening() ? pollMs.listening : pollMs.unlistened, untilNext)), clientSignal);
    }
  } finally {
    watch.close();
  }
}

/** What B authenticated, for A to act as: the AgentIdentity's facts (no key, no token). */
export function identityFacts(agent: AgentIdentity): Record<string, unknown> {
  const { agentId, name, teamId, environment, keyId, expiresAt, via, scopes, onBehalfOf, toolsMode } = agent;
  return { agentId, name, teamId, environment, keyId, expiresAt: expiresAt?.toISOString() ?? null, via, scopes, onBehalfOf: onBehalfOf ?? null, toolsMode: toolsMode ?? null };
}

/** A's outcome as A would have answered: its result, or its JSON-RPC error thrown with the same code, message and data. */
function outcomeOf(row: { result: string | null; error: string | null }): unknown {
  if (row.error !== null) {
    const error = storedError.parse(JSON.parse(row.error));
    throw Object.assign(new Error(error.message), { code: error.code, ...(error.data !== undefined && { data: error.data }) });
  }
  return JSON.parse(row.result ?? "null");
}

// B stops waiting: the row goes (a late claim finds nothing) and, if A claimed it, A is told to cancel the call.
async function giveUp(id: string): Promise<void> {
  await db().$executeRaw`
    WITH gone AS (DELETE FROM "call_resumptions" WHERE "id" = ${id}::uuid RETURNING "id", "holder", "claimed_at")
    SELECT pg_notify(${resumptionsChannel}, json_build_object('h', gone."holder", 'c', gone."id"::text)::text) FROM gone WHERE gone."claimed_at" IS NOT NULL`;
}

/** Deletes rows left behind by instances that stopped waiting for them (the call-resumption-cleanup job); returns how many. */
export async function deleteStaleCallResumptions(now: Date | number = Date.now()): Promise<number> {
  const before = cutoff(now, suspensionTimeoutMs() + rowMarginMs);
  return (await db().callResumption.deleteMany({ where: { createdAt: { lt: before } } })).count;
}

// Waiting Bs, woken by the completion notification (and by every change of the listening connection).
const waiters = singleton("callResumptionWaiters", () => new Wakeups());

/** A notification on the done channel: its payload is the finished row's id. */
export function wakeResumptionWaiter(id: string): void {
  waiters.wake(id);
}

/** The listening connection went or came back: a completion may have been missed, so every waiter reads its row. */
export function wakeAllResumptionWaiters(): void {
  waiters.wakeAll();
}

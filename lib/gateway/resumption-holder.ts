import { z } from "zod";
import type { AgentIdentity } from "@/lib/agents/keys";
import { scopes } from "@/lib/agents/scopes";
import { db } from "@/lib/db/prisma";
import { isPlainObject } from "@/lib/json/plain-object";
import { singleton } from "@/lib/runtime/singleton";
import { claimMs, resumptionsDoneChannel } from "./call-resumptions";
import { endpointOf, type GatewayEndpoint } from "./endpoints";
import { instanceTag } from "./instance-tag";
import { handlerError } from "./rpc-errors";
import { resumeCall } from "./suspended-calls";

// The holder's half of a forwarded retry (./call-resumptions.ts): every instance hears `toolgate_call_resumptions`;
// only the one whose tag a notification names acts, and only on a row that exists, names its tag and is unclaimed
// (one UPDATE claims it, so it is handled once, and a forged or repeated notification does nothing). The row's
// identity and endpoint are rebuilt and the retry goes to resumeCall as if it had reached this instance: agent,
// tool and arguments must match the suspension, the view is checked again, refusals and the call's events are
// audited here. The outcome — result or JSON-RPC error — is stored and notified on the done channel.

const notice = z.union([z.object({ h: z.string().max(16), r: z.uuid() }), z.object({ h: z.string().max(16), c: z.uuid() })]);

const identity = z.object({
  agentId: z.uuid(),
  name: z.string(),
  teamId: z.string(),
  environment: z.enum(["dev", "staging", "prod"]),
  keyId: z.string(),
  expiresAt: z.iso.datetime().nullable(),
  via: z.enum(["key", "token"]),
  scopes: z.array(z.enum(scopes)),
  onBehalfOf: z.object({ issuer: z.string(), subject: z.string(), name: z.string().nullable() }).nullable(),
  toolsMode: z.enum(["all", "search"]).nullable(),
});

interface ClaimedRow {
  request_state: string;
  agent: unknown;
  endpoint_path: string | null;
  tool: string;
  arguments: string;
  input_responses: string | null;
  correlation_id: string;
}

/** Forwarded retries being resumed here, by row id: B's giving up cancels the call as a closed request would. */
const running = singleton("forwardedResumptions", () => new Map<string, AbortController>());

/** A notification on the resumptions channel: a retry for a call this instance holds, or B giving up on one. */
export function takeForwardedResumption(payload: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return;
  }
  const message = notice.safeParse(parsed);
  if (!message.success || message.data.h !== instanceTag()) return;
  if ("c" in message.data) return void running.get(message.data.c)?.abort(new Error("The client's retry was given up at the instance it reached."));
  const id = message.data.r;
  resumeForwarded(id).catch((error: unknown) => console.error("[toolgate] resuming a forwarded retry failed:", error instanceof Error ? error.message : error));
}

/** The listening connection came back: retries forwarded here meanwhile, and still unclaimed, are taken now. */
export function takeMissedResumptions(listening: boolean): void {
  if (!listening) return;
  db()
    .callResumption.findMany({ where: { holder: instanceTag(), claimedAt: null, createdAt: { gte: new Date(Date.now() - claimMs) } }, select: { id: true } })
    .then((rows) => Promise.all(rows.map((row) => resumeForwarded(row.id))))
    .catch((error: unknown) => console.error("[toolgate] taking missed forwarded retries failed:", error instanceof Error ? error.message : error));
}

async function resumeForwarded(id: string): Promise<void> {
  const [row] = await db().$queryRaw<ClaimedRow[]>`
    UPDATE "call_resumptions" SET "claimed_at" = now()
    WHERE "id" = ${id}::uuid AND "holder" = ${instanceTag()} AND "claimed_at" IS NULL
    RETURNING "request_state", "agent", "endpoint_path", "tool", "arguments", "input_responses", "correlation_id"`;
  if (!row) return;
  const controller = new AbortController();
  running.set(id, controller);
  let outcome: { result: string | null; error: string | null };
  try {
    const { agent, endpoint, args, inputResponses } = retryOf(row);
    const result = await resumeCall({ agent, name: row.tool, args, requestState: row.request_state, inputResponses, correlationId: row.correlation_id, clientSignal: controller.signal, endpoint });
    outcome = { result: JSON.stringify(result), error: null };
  } catch (error) {
    outcome = { result: null, error: JSON.stringify(handlerError(error)) };
  } finally {
    running.delete(id);
  }
  await db().$executeRaw`
    WITH finished AS (
      UPDATE "call_resumptions" SET "result" = ${outcome.result}, "error" = ${outcome.error}, "finished_at" = now()
      WHERE "id" = ${id}::uuid RETURNING "id")
    SELECT pg_notify(${resumptionsDoneChannel}, finished."id"::text) FROM finished`;
}

/** The row as resumeCall takes it; a row that is not what B writes is an internal error. */
function retryOf(row: ClaimedRow): { agent: AgentIdentity; endpoint: GatewayEndpoint | null; args: Record<string, unknown>; inputResponses: Record<string, unknown> | undefined } {
  const facts = identity.parse(row.agent);
  const agent: AgentIdentity = { ...facts, expiresAt: facts.expiresAt === null ? null : new Date(facts.expiresAt), toolsMode: facts.toolsMode ?? undefined };
  const parsedEndpoint = row.endpoint_path === null ? { endpoint: null } : endpointOf(`http://toolgate.internal${row.endpoint_path}`);
  if ("refusal" in parsedEndpoint) throw new Error("The forwarded retry names no gateway endpoint.");
  const args: unknown = JSON.parse(row.arguments);
  const inputResponses: unknown = row.input_responses === null ? undefined : JSON.parse(row.input_responses);
  if (!isPlainObject(args) || (inputResponses !== undefined && !isPlainObject(inputResponses))) throw new Error("The forwarded retry is not a tools/call retry.");
  return { agent, endpoint: parsedEndpoint.endpoint, args, inputResponses };
}

import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { isPlainObject } from "@/lib/json/plain-object";
import { cutoff } from "@/lib/runtime/cutoff";
import { instanceTag } from "./instance-tag";

// A 2025-era call runs on the instance its request reached; the client's later messages about it may reach
// another (no sticky sessions, decision 038): a notifications/cancelled for it, or its answer to a request the
// gateway relayed from the backend (elicitation, sampling: the SDK path waits for it). Those two kinds are
// forwarded to every instance on `toolgate_session_messages`; the instance holding the session feeds them to its
// copy, where the call that waits for them is (a copy that has no such call ignores them, as the SDK does). A
// NOTIFY payload holds at most 8000 bytes: a larger message (a sampling result, a long elicitation answer) is
// kept in `gateway_session_messages` and the notification names its row, which only an instance holding the
// session reads. Kept rows are deleted after a few minutes (deleteForwardedMessages) or with their session.

export const sessionMessagesChannel = "toolgate_session_messages";
/** What fits a NOTIFY payload with room for the envelope. */
const maxForwardedBytes = 7_900;
/** How long a kept message waits for the instance it is meant for; it is read as soon as the notification arrives. */
export const forwardedMessageTtlMs = 5 * 60_000;

/** Whether a client's message is one the call it concerns may be waiting for on another instance. */
export function isForwardedKind(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  if (body.method === "notifications/cancelled") return true;
  return body.method === undefined && body.id !== undefined && ("result" in body || "error" in body);
}

/** Tells the other instances (fire-and-forget: a failure is logged, the client's request is served here as ever). */
export function forwardSessionMessage(sessionId: string, message: unknown): void {
  const payload = JSON.stringify({ i: instanceTag(), s: sessionId, m: message });
  const sent = Buffer.byteLength(payload) <= maxForwardedBytes ? db().$executeRaw`SELECT pg_notify(${sessionMessagesChannel}, ${payload})` : forwardKept(sessionId, message);
  sent.catch((error: unknown) => console.error("[toolgate] forwarding a session message failed:", error instanceof Error ? error.message : error));
}

// One statement: the message is kept and its row named to every instance.
function forwardKept(sessionId: string, message: unknown): Promise<unknown> {
  return db().$executeRaw`
    WITH kept AS (INSERT INTO "gateway_session_messages" ("session_id", "message") VALUES (${sessionId}::uuid, ${JSON.stringify(message)}) RETURNING "id")
    SELECT pg_notify(${sessionMessagesChannel}, json_build_object('i', ${instanceTag()}::text, 's', ${sessionId}::text, 'r', kept."id"::text)::text) FROM kept`;
}

const inline = z.object({ i: z.string().max(16), s: z.uuid(), m: z.record(z.string(), z.unknown()) });
const kept = z.object({ i: z.string().max(16), s: z.uuid(), r: z.string().regex(/^[1-9][0-9]{0,18}$/) });

export type ForwardedMessage = { sessionId: string; message: Record<string, unknown> } | { sessionId: string; keptId: string };

/** A message forwarded by another instance, or the row it was kept in; null for this instance's own, or not one of ours. */
export function forwardedFromElsewhere(payload: string): ForwardedMessage | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return null;
  }
  const message = inline.safeParse(parsed);
  if (message.success) return message.data.i === instanceTag() || !isForwardedKind(message.data.m) ? null : { sessionId: message.data.s, message: message.data.m };
  const reference = kept.safeParse(parsed);
  if (!reference.success || reference.data.i === instanceTag()) return null;
  return { sessionId: reference.data.s, keptId: reference.data.r };
}

/** The kept message a notification named, if it is still there, of that session, and of a kind that is forwarded. */
export async function readKeptMessage(sessionId: string, keptId: string): Promise<Record<string, unknown> | null> {
  const row = await db().gatewaySessionMessage.findFirst({ where: { id: BigInt(keptId), sessionId }, select: { message: true } });
  if (!row) return null;
  try {
    const message: unknown = JSON.parse(row.message);
    return isPlainObject(message) && isForwardedKind(message) ? message : null;
  } catch {
    return null;
  }
}

/** Deletes kept messages older than their time to live (the session-message-cleanup job); returns how many. */
export async function deleteForwardedMessages(now: Date | number = Date.now()): Promise<number> {
  const before = cutoff(now, forwardedMessageTtlMs);
  return (await db().gatewaySessionMessage.deleteMany({ where: { createdAt: { lt: before } } })).count;
}

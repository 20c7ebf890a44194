import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { isPlainObject } from "@/lib/json/plain-object";
import { instanceTag } from "./instance-tag";

// A 2025-era call runs on the instance its request reached; the client's later messages about it may reach
// another (no sticky sessions, decision 038): a notifications/cancelled for it, or its answer to a request the
// gateway relayed from the backend (elicitation, sampling: the SDK path waits for it). Those two kinds are
// forwarded to every instance on `toolgate_session_messages`; the instance holding the session feeds them to its
// copy, where the call that waits for them is (a copy that has no such call ignores them, as the SDK does). The
// channel's payload is at most 8000 bytes: a larger answer is served only where it lands (logged).

export const sessionMessagesChannel = "toolgate_session_messages";
/** What fits a NOTIFY payload with room for the envelope. */
const maxForwardedBytes = 7_900;

/** Whether a client's message is one the call it concerns may be waiting for on another instance. */
export function isForwardedKind(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  if (body.method === "notifications/cancelled") return true;
  return body.method === undefined && body.id !== undefined && ("result" in body || "error" in body);
}

/** Tells the other instances (fire-and-forget: a failure is logged, the client's request is served here as ever). */
export function forwardSessionMessage(sessionId: string, message: unknown): void {
  const payload = JSON.stringify({ i: instanceTag(), s: sessionId, m: message });
  if (Buffer.byteLength(payload) > maxForwardedBytes) {
    console.error(`[toolgate] a client's message in session ${sessionId} is too large to forward to other instances (${Buffer.byteLength(payload)} bytes); only this instance sees it.`);
    return;
  }
  db()
    .$executeRaw`SELECT pg_notify(${sessionMessagesChannel}, ${payload})`
    .catch((error: unknown) => console.error("[toolgate] forwarding a session message failed:", error instanceof Error ? error.message : error));
}

const forwarded = z.object({ i: z.string().max(16), s: z.uuid(), m: z.record(z.string(), z.unknown()) });

/** A forwarded message from another instance, or null (this instance's own, or not one of ours). */
export function forwardedFromElsewhere(payload: string): { sessionId: string; message: Record<string, unknown> } | null {
  let parsed: z.infer<typeof forwarded>;
  try {
    const result = forwarded.safeParse(JSON.parse(payload));
    if (!result.success) return null;
    parsed = result.data;
  } catch {
    return null;
  }
  if (parsed.i === instanceTag() || !isForwardedKind(parsed.m)) return null;
  return { sessionId: parsed.s, message: parsed.m };
}

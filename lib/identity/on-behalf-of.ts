import type { OnBehalfOf } from "@/lib/agents/keys";
import { hasUnsafeCharacters, replaceUnsafeCharacters } from "@/lib/text/unsafe-text";

// A token an agent got by token exchange (RFC 8693) acts for a user: its `sub` is the user and its `act`
// claim names the agent (`act.sub`, §4.1; the outermost `act` is the current actor, nested ones are the
// earlier delegation chain and are not used). The agent is bound by its client_id (or act.sub), never by
// the user's sub. An `act` that is present but not an object with a short, clean string `sub` is refused
// rather than ignored: ignoring it would read the token as the user's own and could bind it by sub.

export const maxSubjectLength = 255;
export const maxDisplayNameLength = 100;

export type Delegation = { ok: true; actor: string | null } | { ok: false; description: string };

const cleanSubject = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= maxSubjectLength && !hasUnsafeCharacters(value, { singleLine: true });

/** The agent a token's `act` claim names (null without one), or why the claim is refused. */
export function delegationOf(payload: Record<string, unknown>): Delegation {
  if (!("act" in payload) || payload.act === undefined) return { ok: true, actor: null };
  const act = payload.act;
  if (act === null || typeof act !== "object" || Array.isArray(act)) return { ok: false, description: "The access token's act claim must be an object naming the acting agent in sub (RFC 8693 §4.1)." };
  const actor = (act as Record<string, unknown>).sub;
  if (!cleanSubject(actor)) {
    return { ok: false, description: `The access token's act.sub must be a one-line string of 1 to ${maxSubjectLength} characters without control characters.` };
  }
  if (!cleanSubject(payload.sub)) return { ok: false, description: `A delegated access token (with act) must name its user in sub: a one-line string of 1 to ${maxSubjectLength} characters.` };
  return { ok: true, actor };
}

/** Control and bidi characters removed, whitespace collapsed, cut to maxDisplayNameLength. */
export function displayText(value: string): string {
  const stripped = replaceUnsafeCharacters(value.slice(0, 4 * maxDisplayNameLength)).replaceAll("\uFFFD", "").replace(/\s+/g, " ").trim();
  return [...stripped].slice(0, maxDisplayNameLength).join("");
}

/** The user a delegated token acts for: issuer, subject, and a name from name, email or preferred_username. */
export function onBehalfOfUser(issuer: string, payload: Record<string, unknown>): OnBehalfOf {
  const subject = payload.sub as string;
  const candidates = [payload.name, payload.email, payload.preferred_username].filter((value): value is string => typeof value === "string");
  const name = candidates.map(displayText).find((text) => text !== "") ?? null;
  return { issuer, subject, name };
}

/** How people read the user: "Ada Lovelace" or, without a name, the subject. */
export function userLabel(user: Pick<OnBehalfOf, "name" | "subject">): string {
  return user.name ?? displayText(user.subject);
}

/** "user Ada via agent billing-bot", or "agent billing-bot" when the agent acted for itself. */
export function callerLabel(agentName: string, user: Pick<OnBehalfOf, "name" | "subject"> | null | undefined): string {
  return user ? `user ${userLabel(user)} via agent ${agentName}` : `agent ${agentName}`;
}

import type { Scope } from "@/lib/agents/scopes";

// RFC 6750 §3 challenges. Parameter values are quoted strings in a header, so anything that could end
// the quote, start another parameter or fail as a header byte (quotes, backslashes, controls, non-ASCII
// from a client's own claims) is replaced before it gets there.

function quoted(value: string): string {
  return `"${value.replace(/[^\x20-\x7e]|["\\]/g, "?").slice(0, 300)}"`;
}

/** `Bearer name="value", …` from the parameters given, in order; undefined values are left out. */
export function bearerChallenge(parameters: Record<string, string | undefined>): string {
  const pairs = Object.entries(parameters).flatMap(([name, value]) => (value === undefined ? [] : [`${name}=${quoted(value)}`]));
  return pairs.length ? `Bearer ${pairs.join(", ")}` : "Bearer";
}

/** The step-up challenge: 403 naming only the scopes the token lacks. */
export function insufficientScopeChallenge(missing: readonly Scope[], extra: Record<string, string | undefined> = {}): string {
  return bearerChallenge({ error: "insufficient_scope", scope: missing.join(" "), ...extra });
}

/** What a credential lacks of what is needed. */
export function missingScopes(have: readonly Scope[], needed: readonly Scope[]): Scope[] {
  return needed.filter((scope) => !have.includes(scope));
}

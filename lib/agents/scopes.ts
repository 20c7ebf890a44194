// What an access token may let an agent do at the gateway and the registry (issue #17): a small,
// fixed vocabulary and never a wildcard. An API key carries all of them; a token carries what its
// `scope` claim names, so a reduced-scope token works for what it covers and no more.

export const scopes = ["tools:read", "tools:call", "tools:call:high-risk"] as const;

export type Scope = (typeof scopes)[number];

/** What each scope lets an agent do, for the metadata document and for people. */
export const scopeMeaning: Record<Scope, string> = {
  "tools:read": "list the tools it may use and read the registry",
  "tools:call": "call tools",
  "tools:call:high-risk": "call tools whose certified risk tier is high or critical (with tools:call)",
};

/** The known scopes in a space-separated `scope` claim (RFC 8693 §4.2); unknown ones are ignored. */
export function scopesOf(claim: unknown): Scope[] {
  if (typeof claim !== "string") return [];
  const named = new Set(claim.split(" "));
  return scopes.filter((scope) => named.has(scope));
}

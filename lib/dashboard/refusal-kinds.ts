import { Prisma } from "@/lib/generated/prisma/client";

// Why gateway calls were refused, as kinds a person can act on. The gateway's audit rows carry the
// refusal as a sentence (with tool names, approval ids, a kill switch's reason, a retry time), so each
// sentence is its own group; the dashboard counts them by kind instead. Each kind is recognised by a
// pattern over that sentence, written so PostgreSQL (`~`) and JavaScript read it alike, and tried in
// order: the first that matches wins. The patterns follow the wording in lib/gateway (resolution.ts,
// limits.ts, arguments.ts, approval-gate.ts, call-input.ts, virtual-server.ts); a sentence none
// matches is counted as "Other".

export interface RefusalKind {
  kind: string;
  label: string;
  pattern: string;
}

export const refusalKinds: readonly RefusalKind[] = [
  { kind: "kill_switch", label: "Kill switch", pattern: "was stopped by a kill switch" },
  { kind: "drift", label: "Definition drift", pattern: "blocked: definition drift since certification" },
  { kind: "not_granted", label: "Not granted", pattern: " is not granted to this agent" },
  { kind: "not_certified", label: "Not certified", pattern: " is not certified$" },
  { kind: "not_promoted", label: "Not promoted here", pattern: " is not promoted to " },
  { kind: "unknown_tool", label: "Unknown tool", pattern: "^no such tool: " },
  { kind: "changed", label: "Changed during the call", pattern: " became available just now; retry" },
  { kind: "agent", label: "Agent disabled or unknown", pattern: "^(this agent is disabled|unknown agent)$" },
  { kind: "approval_denied", label: "Denied by an approver", pattern: "^The call was denied by " },
  { kind: "approval_missing", label: "Approval not given in time", pattern: "^Approval request " },
  { kind: "approval_cap", label: "Too many approvals waiting", pattern: "^approval cap: " },
  { kind: "rate_limit", label: "Rate limit", pattern: "^rate limit: " },
  { kind: "quota", label: "Daily quota", pattern: "^quota: " },
  { kind: "invalid_arguments", label: "Invalid arguments", pattern: "^(argument '|arguments |missing required argument |unexpected argument )" },
  { kind: "schema_unusable", label: "Certified schema unusable", pattern: "^the certified schema cannot be used" },
  { kind: "invalid_params", label: "Malformed request", pattern: "^Invalid params: " },
  { kind: "shutting_down", label: "Gateway shutting down", pattern: "^The gateway is shutting down" },
];

export const noReason: Omit<RefusalKind, "pattern"> = { kind: "none", label: "No reason recorded" };
export const otherReason: Omit<RefusalKind, "pattern"> = { kind: "other", label: "Other" };

const labels = new Map([...refusalKinds, noReason, otherReason].map(({ kind, label }) => [kind, label]));

/** The kind's label for people; an unknown kind shows as itself. */
export const refusalKindLabel = (kind: string): string => labels.get(kind) ?? kind;

/** The kind of one refusal sentence, as the SQL below decides it. */
export function refusalKindOf(reason: string | null): string {
  if (!reason) return noReason.kind;
  return refusalKinds.find(({ pattern }) => new RegExp(pattern).test(reason))?.kind ?? otherReason.kind;
}

/** The same decision in SQL, over a text column or expression. */
export function refusalKindSql(reason: Prisma.Sql): Prisma.Sql {
  const cases = refusalKinds.map(({ kind, pattern }) => Prisma.sql`WHEN ${reason} ~ ${pattern} THEN ${kind}`);
  return Prisma.sql`CASE WHEN coalesce(${reason}, '') = '' THEN ${noReason.kind} ${Prisma.join(cases, " ")} ELSE ${otherReason.kind} END`;
}

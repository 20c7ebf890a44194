import { z } from "zod";
import { parseInput, queryText } from "@/lib/validation";

// The audit trail's filters, read from a URL's query so a filtered view can be bookmarked, shared and
// exported. Semantics:
// - actor: part of the actor's label (an email, "system", "agent:<name>"), any case.
// - action: the exact action ("user.create"), or a prefix when it ends in "." or "*" ("gateway." and
//   "gateway.*" both match every gateway event). Exact by default so "user.create" does not also
//   match a future "user.create_batch".
// - target: a target type ("server"), or a type and id ("server:<id>").
// - from / to: UTC, like the times the table shows. A date or datetime-local value covers its whole
//   day, minute or second, so to=2026-01-31 includes all of that day.
// - q: part of the reason or the correlation id, any case.
// - cursor: a chain position; only older events (lower positions) are shown, for paging back.
// - event: one event's id, for a link to it (a policy replay's examples).

export const auditOutcomes = ["success", "denied", "failure"] as const;

/** The query keys that filter; the cursor and an export's format are not among them. */
export const auditFilterKeys = ["actor", "action", "target", "outcome", "from", "to", "q", "event"] as const;

const text = (name: string, max: number) => queryText(`The ${name} filter`, max, `Give the ${name} filter once, as text.`);

const actionFilter = text("action", 200)
  .regex(/^[\w./:-]+\*?$/, "An action looks like user.create, or gateway. or gateway.* for every gateway action.")
  .transform((value) => (value.endsWith("*") ? { value: value.slice(0, -1), prefix: true } : { value, prefix: value.endsWith(".") }));

const targetFilter = text("target", 300)
  .regex(/^[\w.-]+(:.+)?$/, "A target is a type such as server, or a type and id such as server:<id>.")
  .transform((value) => {
    const colon = value.indexOf(":");
    return colon < 0 ? { type: value } : { type: value.slice(0, colon), id: value.slice(colon + 1) };
  });

const instantPattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/** The span a date or datetime value names, to the precision it was written in; null if it names no real time. */
export function instantSpan(value: string): { start: Date; end: Date } | null {
  const match = instantPattern.exec(value);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, offset] = match;
  const n = (part: string | undefined) => Number(part ?? 0);
  const ms = Number((fraction ?? "").padEnd(3, "0"));
  const local = Date.UTC(n(year), n(month) - 1, n(day), n(hour), n(minute), n(second), ms);
  const parts = new Date(local);
  // Date.UTC rolls 2026-02-30 over to March; a value that does not survive the round trip is no date.
  if (parts.getUTCMonth() !== n(month) - 1 || parts.getUTCDate() !== n(day) || n(hour) > 23 || n(minute) > 59 || n(second) > 59) return null;
  const sign = offset?.startsWith("-") ? -1 : 1;
  const offsetMs = offset && offset !== "Z" ? sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) * 60_000 : 0;
  const unit = hour === undefined ? 86_400_000 : second === undefined ? 60_000 : fraction === undefined ? 1000 : 10 ** (3 - fraction.length);
  const start = local - offsetMs;
  return { start: new Date(start), end: new Date(start + unit) };
}

const instantFilter = (name: string) =>
  text(name, 40).transform((value, ctx) => {
    const span = instantSpan(value);
    if (span) return span;
    ctx.addIssue({ code: "custom", message: `"${value}" is not a date: give ${name} as 2026-01-31 or 2026-01-31T09:30 (UTC).` });
    return z.NEVER;
  });

// A chain position fits PostgreSQL's BIGINT.
const cursorFilter = text("cursor", 19)
  .regex(/^[1-9]\d*$/, "The cursor is a chain position: a whole number from 1.")
  .transform((value) => BigInt(value))
  .refine((seq) => seq <= 9_223_372_036_854_775_807n, "The cursor is beyond any chain position.");

// An event id, like a chain position, fits PostgreSQL's BIGINT.
const eventFilter = text("event", 19)
  .regex(/^[1-9]\d*$/, "The event is an audit event's id: a whole number from 1.")
  .transform((value) => BigInt(value))
  .refine((id) => id <= 9_223_372_036_854_775_807n, "The event is beyond any audit event's id.");

// A form sends "" for a field left empty; that (or only spaces) means no filter.
const absentIfEmpty = (value: unknown) => ((typeof value === "string" && value.trim() === "") || value === null ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(absentIfEmpty, schema.optional());

export const auditFiltersSchema = z
  .object({
    actor: optional(text("actor", 200)),
    action: optional(actionFilter),
    target: optional(targetFilter),
    outcome: optional(z.enum(auditOutcomes, { error: "The outcome is success, denied or failure." })),
    from: optional(instantFilter("from")),
    to: optional(instantFilter("to")),
    q: optional(text("search", 200)),
    cursor: optional(cursorFilter),
    event: optional(eventFilter),
  })
  .refine((f) => !f.from || !f.to || f.from.start < f.to.end, { path: ["to"], message: "The end of the period is before its start." })
  .transform(({ from, to, ...filters }): AuditFilters => ({ ...filters, ...(from && { from: from.start }), ...(to && { before: to.end }) }));

export interface AuditFilters {
  actor?: string;
  action?: { value: string; prefix: boolean };
  target?: { type: string; id?: string };
  outcome?: (typeof auditOutcomes)[number];
  /** Inclusive. */
  from?: Date;
  /** Exclusive: the end of the span `to` named. */
  before?: Date;
  q?: string;
  cursor?: bigint;
  event?: bigint;
}

/** Reads filters from a query (URL search params as an object); bad values throw a ValidationError. */
export function parseAuditFilters(query: unknown): AuditFilters {
  return parseInput(auditFiltersSchema, query);
}

/** The filter part of a query as a URL query string, with any extra parameters (a format, a cursor). */
export function auditFilterQuery(query: Record<string, string | string[] | undefined>, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const key of auditFilterKeys) {
    const value = query[key];
    if (typeof value === "string" && value !== "") params.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params.toString();
}

import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db, type Tx } from "@/lib/db/prisma";
import { ValidationError } from "@/lib/errors";
import type { DataClassification, Prisma } from "@/lib/generated/prisma/client";

// Policies an administrator may change. The code holds each default and its schema; the `settings`
// table holds only what an administrator changed, so a new policy needs no migration.

export const MiB = 1024 * 1024;

const nameList = (what: string) =>
  z
    .array(
      z
        .string({ error: `Each ${what} must be text.` })
        .trim()
        .min(1, `A ${what} cannot be empty.`)
        .max(100, `A ${what} must be at most 100 characters.`),
      { error: `Expected a list of ${what}s.` },
    )
    .max(100, `At most 100 ${what}s.`)
    .transform((names) => dedupeCaseInsensitive(names));

function dedupeCaseInsensitive(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const frameworks = nameList("framework name");

/** A whole number from 1 to max of a unit (named in the singular), with messages that name both. */
const count = (what: string, unit: string, max: number) =>
  z
    .number({ error: `${what} must be a number of ${unit}s.` })
    .int(`${what} must be a whole number of ${unit}s.`)
    .min(1, `${what} must be at least 1 ${unit}.`)
    .max(max, `${what} must be at most ${max} ${unit}s.`);

export const policySchemas = {
  /** Eval metrics every version needs a passing result for; empty means "at least one eval, and all pass". */
  "certification.requiredEvalMetrics": nameList("metric name"),
  /** The compliance frameworks whose attestations each data classification requires. */
  "certification.complianceByClassification": z.strictObject(
    { public: frameworks, internal: frameworks, confidential: frameworks, restricted: frameworks },
    { error: "Give the frameworks for each classification: public, internal, confidential and restricted." },
  ) satisfies z.ZodType<Record<DataClassification, string[]>>,
  /** The largest evidence file accepted, in bytes. */
  "evidence.maxUploadBytes": z
    .number({ error: "The upload limit must be a number of bytes." })
    .int("The upload limit must be a whole number of bytes.")
    .min(1024, "The upload limit must be at least 1 KB.")
    .max(50 * MiB, "The upload limit must be at most 50 MB."),
  /** Whether the registry API answers without an agent key. */
  "registry.anonymousRead": z.boolean({ error: "Anonymous registry read must be on or off." }),
  /** How long a tools/call that needs approval waits for a decision before it answers "still pending". */
  "approvals.waitSeconds": count("The wait", "second", 600),
  /** How long an approval request can be decided before it expires. */
  "approvals.requestTtlMinutes": count("The request lifetime", "minute", 7 * 24 * 60),
  /** How long an approval, once given, can be used (once) by a repeat of the call. */
  "approvals.validMinutes": count("The approval lifetime", "minute", 7 * 24 * 60),
  /** How many approval requests one agent may have waiting at once; a call past it is refused instead of opening another. */
  "approvals.maxPendingPerAgent": count("The cap", "request", 1000),
  /** A request undecided this long is flagged and shown to administrators. */
  "approvals.escalateAfterMinutes": count("The escalation delay", "minute", 7 * 24 * 60),
  /** How far back the audit trail is kept (older events are pruned: lib/audit-trail/retention.ts); a policy replay may not look further. */
  "audit.retentionDays": count("The audit retention", "day", 3650),
  /** Argument fields (by name, any depth, case-insensitive) masked wherever people see a call's arguments. */
  "dataHandling.sensitiveArgumentFields": nameList("field name"),
} as const;

export type PolicyKey = keyof typeof policySchemas;
export type Policies = { [K in PolicyKey]: z.output<(typeof policySchemas)[K]> };

export const policyKeys = Object.keys(policySchemas) as PolicyKey[];

export const policyDefaults: Policies = {
  "certification.requiredEvalMetrics": [],
  "certification.complianceByClassification": {
    public: [],
    internal: [],
    confidential: ["SOC 2"],
    restricted: ["SOC 2", "ISO 27001"],
  },
  "evidence.maxUploadBytes": 10 * MiB,
  "registry.anonymousRead": false,
  "approvals.waitSeconds": 45,
  "approvals.requestTtlMinutes": 60,
  "approvals.validMinutes": 30,
  "approvals.maxPendingPerAgent": 10,
  "approvals.escalateAfterMinutes": 10,
  "audit.retentionDays": 365,
  "dataHandling.sensitiveArgumentFields": ["password", "secret", "token", "apiKey", "api_key", "authorization", "accessToken", "privateKey", "ssn", "cardNumber"],
};

export function isPolicyKey(key: unknown): key is PolicyKey {
  return typeof key === "string" && Object.hasOwn(policySchemas, key);
}

/** A stored value that no longer fits its schema (say, after the schema tightened) yields the default. */
function readStored<K extends PolicyKey>(key: K, stored: unknown): Policies[K] {
  if (stored === undefined) return policyDefaults[key];
  const parsed = policySchemas[key].safeParse(stored);
  return parsed.success ? (parsed.data as Policies[K]) : policyDefaults[key];
}

/** One policy's value in force: what an administrator set, else the default. */
export async function getPolicy<K extends PolicyKey>(key: K, client: Tx = db()): Promise<Policies[K]> {
  const row = await client.setting.findUnique({ where: { key }, select: { value: true } });
  return readStored(key, row?.value);
}

/** Every policy's value in force, in one query. */
export async function getPolicies(client: Tx = db()): Promise<Policies> {
  const rows = await client.setting.findMany({ where: { key: { in: policyKeys } }, select: { key: true, value: true } });
  const stored = new Map(rows.map((row) => [row.key, row.value as unknown]));
  const read = <K extends PolicyKey>(key: K) => readStored(key, stored.get(key));
  return {
    "certification.requiredEvalMetrics": read("certification.requiredEvalMetrics"),
    "certification.complianceByClassification": read("certification.complianceByClassification"),
    "evidence.maxUploadBytes": read("evidence.maxUploadBytes"),
    "registry.anonymousRead": read("registry.anonymousRead"),
    "approvals.waitSeconds": read("approvals.waitSeconds"),
    "approvals.requestTtlMinutes": read("approvals.requestTtlMinutes"),
    "approvals.validMinutes": read("approvals.validMinutes"),
    "approvals.maxPendingPerAgent": read("approvals.maxPendingPerAgent"),
    "approvals.escalateAfterMinutes": read("approvals.escalateAfterMinutes"),
    "audit.retentionDays": read("audit.retentionDays"),
    "dataHandling.sensitiveArgumentFields": read("dataHandling.sensitiveArgumentFields"),
  };
}

/** An administrator changes one policy; the audit event keeps the old and the new value. */
export async function setPolicy(actor: Actor, key: string, value: unknown): Promise<Policies[PolicyKey]> {
  await guard(actor, "settings.manage", { type: "setting", id: key });
  if (!isPolicyKey(key)) {
    throw new ValidationError(`There is no setting named "${key}".`, { key: [`There is no setting named "${key}".`] });
  }
  const parsed = policySchemas[key].safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message);
    throw new ValidationError(`The setting "${key}" is invalid: ${problems.join(" ")}`, { [key]: problems });
  }
  const next = parsed.data as Prisma.InputJsonValue;
  return db().$transaction(async (tx) => {
    const old = await getPolicy(key, tx);
    await tx.setting.upsert({
      where: { key },
      create: { key, value: next, updatedById: actor.id },
      update: { value: next, updatedById: actor.id, updatedAt: new Date() },
    });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "settings.update",
      target: { type: "setting", id: key },
      outcome: "success",
      details: { key, old: old as Prisma.InputJsonValue, new: next },
    });
    return parsed.data as Policies[PolicyKey];
  });
}

import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import type { SecurityScanRecord, Severity } from "./records";
import { describeIssues, parseJsonFile } from "./json-file";

// Reads a SARIF 2.1.0 log (OASIS) into finding counts. Only what the count needs is checked strictly;
// everything else a scanner adds is let through, as SARIF intends.

const levels = ["none", "note", "warning", "error"] as const;
type Level = (typeof levels)[number];

const propertyBag = z.record(z.string(), z.unknown());

const ruleSchema = z.looseObject({
  id: z.string().optional(),
  properties: propertyBag.optional(),
  defaultConfiguration: z.looseObject({ level: z.enum(levels).optional() }).optional(),
});

const resultSchema = z.looseObject({
  ruleId: z.string().optional(),
  ruleIndex: z.number().int().optional(),
  rule: z.looseObject({ id: z.string().optional(), index: z.number().int().optional() }).optional(),
  kind: z.string().optional(),
  level: z.enum(levels, { error: 'must be "none", "note", "warning" or "error"' }).optional(),
  properties: propertyBag.optional(),
  suppressions: z
    .array(z.looseObject({ status: z.enum(["accepted", "underReview", "rejected"]).optional() }), { error: "must be a list" })
    .optional(),
  baselineState: z.enum(["new", "unchanged", "updated", "absent"]).optional(),
});

const runSchema = z.looseObject({
  tool: z.looseObject(
    {
      driver: z.looseObject(
        {
          name: z.string({ error: "is required" }).min(1, "is required"),
          rules: z.array(ruleSchema, { error: "must be a list" }).optional(),
        },
        { error: "is required" },
      ),
    },
    { error: "is required" },
  ),
  results: z.array(resultSchema, { error: "must be a list" }),
});

const sarifSchema = z.looseObject(
  {
    version: z.literal("2.1.0", { error: 'must be "2.1.0"' }),
    runs: z.array(runSchema, { error: "must be a list" }).min(1, "must hold at least one run"),
  },
  { error: "it is not a JSON object" },
);

type Run = z.output<typeof runSchema>;
type Result = z.output<typeof resultSchema>;
type Rule = z.output<typeof ruleSchema>;

const notSarif = (reason: string) =>
  new ValidationError(`The security scan is not a SARIF 2.1.0 JSON document: ${reason}`, {
    file: [`The security scan is not a SARIF 2.1.0 JSON document: ${reason}`],
  });

/** A CVSS score from `security-severity` (GitHub's convention, a string or a number), if it is one. */
function cvss(value: unknown): number | undefined {
  const score = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isFinite(score) && score >= 0 && score <= 10 ? score : undefined;
}

function ruleOf(run: Run, result: Result): Rule | undefined {
  const rules = run.tool.driver.rules ?? [];
  const index = result.ruleIndex ?? result.rule?.index;
  if (index !== undefined && index >= 0) return rules[index];
  const id = result.ruleId ?? result.rule?.id;
  return id === undefined ? undefined : rules.find((rule) => rule.id === id);
}

function severityOf(result: Result, rule: Rule | undefined): Severity | null {
  const score = cvss(result.properties?.["security-severity"]) ?? cvss(rule?.properties?.["security-severity"]);
  if (score !== undefined) return score >= 9 ? "critical" : score >= 7 ? "high" : score >= 4 ? "medium" : score > 0 ? "low" : null;
  // SARIF: a result's level defaults to its rule's configured level, else "warning".
  const level: Level = result.level ?? rule?.defaultConfiguration?.level ?? "warning";
  return ({ error: "high", warning: "medium", note: "low", none: null } as const)[level];
}

/** Accepted suppressions (a suppression without a status counts as accepted) and findings gone from the baseline. */
function isResolved(result: Result): boolean {
  if (result.baselineState === "absent") return true;
  return (result.suppressions ?? []).some((suppression) => suppression.status === undefined || suppression.status === "accepted");
}

/** Results that report no problem: SARIF's kinds other than "fail" (and "open"/"review", which still need a look). */
const notAFinding = new Set(["pass", "notApplicable", "informational"]);

export function summarizeSarif(bytes: Uint8Array): SecurityScanRecord {
  const parsed = sarifSchema.safeParse(parseJsonFile(bytes, notSarif));
  if (!parsed.success) throw notSarif(describeIssues(parsed.error.issues));
  const findings = { critical: 0, high: 0, medium: 0, low: 0 };
  let resolved = 0;
  let unresolvedCritical = 0;
  for (const run of parsed.data.runs) {
    for (const result of run.results) {
      if (result.kind !== undefined && notAFinding.has(result.kind)) continue;
      const severity = severityOf(result, ruleOf(run, result));
      if (!severity) continue;
      findings[severity] += 1;
      if (isResolved(result)) resolved += 1;
      else if (severity === "critical") unresolvedCritical += 1;
    }
  }
  const tool = [...new Set(parsed.data.runs.map((run) => run.tool.driver.name))].join(", ");
  return { format: "sarif", tool, findings, resolved, unresolvedCritical };
}

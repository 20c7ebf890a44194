import { z } from "zod";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import type { DataClassification, EvidenceKind } from "@/lib/generated/prisma/client";
import { type EvidenceRecord, readRecord } from "@/lib/evidence/records";
import { unsupportedPatterns } from "@/lib/gateway/schema-patterns";
import { getPolicies, type Policies } from "@/lib/settings/policy";

// The prerelease checks certification needs (SPEC "Lifecycle"): quality, safety, compliance and
// security, computed from a version's evidence under the policies in force. Where several items
// speak to the same thing (two runs of one eval, two scans), the latest one counts.

export const checkNames = ["quality", "safety", "compliance", "security"] as const;
export type CheckName = (typeof checkNames)[number];

export interface CheckResult {
  name: CheckName;
  passed: boolean;
  /** Why the check fails, as sentences a person can act on; empty when it passes. */
  reasons: string[];
}

export interface PrereleaseChecks {
  passed: boolean;
  checks: CheckResult[];
}

export interface EvidenceForChecks {
  kind: EvidenceKind;
  record: unknown;
  createdAt: Date;
}

/** A declared tool's schemas, for the checks that read definitions rather than evidence. */
export interface ToolForChecks {
  name: string;
  inputSchema: unknown;
  outputSchema: unknown;
}

export type CheckPolicies = Pick<Policies, "certification.requiredEvalMetrics" | "certification.complianceByClassification">;

const key = (name: string) => name.trim().toLowerCase();

/** Records of one kind, oldest first; a record that does not fit its kind's shape is left out. */
function recordsOf<K extends EvidenceKind>(evidence: readonly EvidenceForChecks[], kind: K): EvidenceRecord<K>[] {
  return evidence
    .map((item, index) => ({ item, index }))
    .filter(({ item }) => item.kind === kind)
    .sort((a, b) => a.item.createdAt.getTime() - b.item.createdAt.getTime() || a.index - b.index)
    .map(({ item }) => readRecord(kind, item.record))
    .filter((record): record is EvidenceRecord<K> => record !== null);
}

const latest = <T>(records: T[]): T | undefined => records[records.length - 1];

function check(name: CheckName, reasons: string[]): CheckResult {
  return { name, passed: reasons.length === 0, reasons };
}

function evalFailure(result: EvidenceRecord<"eval_result">): string {
  const side = result.direction === "lower-is-better" ? "above" : "below";
  return `Eval '${result.metric}' scored ${result.score}, ${side} its threshold ${result.threshold}.`;
}

function quality(evidence: readonly EvidenceForChecks[], required: readonly string[]): CheckResult {
  const latestByMetric = new Map<string, EvidenceRecord<"eval_result">>();
  for (const result of recordsOf(evidence, "eval_result")) latestByMetric.set(key(result.metric), result);
  const reasons: string[] = [];
  if (required.length) {
    for (const metric of required) {
      const result = latestByMetric.get(key(metric));
      if (!result) reasons.push(`No eval result for the required metric '${metric}'.`);
      else if (!result.passed) reasons.push(evalFailure(result));
    }
  } else if (!latestByMetric.size) {
    reasons.push("No eval result is attached.");
  } else {
    for (const result of latestByMetric.values()) if (!result.passed) reasons.push(evalFailure(result));
  }
  return check("quality", reasons);
}

function safety(evidence: readonly EvidenceForChecks[]): CheckResult {
  const report = latest(recordsOf(evidence, "red_team_report"));
  if (!report) return check("safety", ["No red-team report is attached."]);
  return check("safety", report.outcome === "pass" ? [] : ["The latest red-team report did not pass."]);
}

function compliance(evidence: readonly EvidenceForChecks[], required: readonly string[], classification: DataClassification, today: string): CheckResult {
  const attestations = recordsOf(evidence, "compliance_attestation");
  const reasons: string[] = [];
  for (const framework of required) {
    const matching = attestations.filter((attestation) => key(attestation.framework) === key(framework));
    const current = matching.filter((attestation) => !attestation.validUntil || attestation.validUntil >= today);
    if (current.length) continue;
    const lastExpiry = matching.map((attestation) => attestation.validUntil!).sort().pop();
    reasons.push(
      lastExpiry
        ? `The ${framework} attestation expired on ${lastExpiry}.`
        : `No ${framework} attestation is attached; ${classification} data requires one.`,
    );
  }
  return check("compliance", reasons);
}

/** Schema patterns the gateway cannot run in linear time: every call of such a tool would be refused. */
function patternFindings(tools: readonly ToolForChecks[]): string[] {
  return tools.flatMap((tool) =>
    (["inputSchema", "outputSchema"] as const).flatMap((which) =>
      unsupportedPatterns(tool[which]).map(
        (finding) =>
          `Tool '${tool.name}' ${which === "inputSchema" ? "input" : "output"} schema at ${finding.at} has pattern ${JSON.stringify(finding.pattern)}, which the gateway cannot run in linear time (${finding.problem}); the gateway would refuse every call to it.`,
      ),
    ),
  );
}

function security(evidence: readonly EvidenceForChecks[], tools: readonly ToolForChecks[]): CheckResult {
  const reasons: string[] = patternFindings(tools);
  const scan = latest(recordsOf(evidence, "security_scan"));
  if (!scan) reasons.push("No security scan is attached.");
  else if (scan.unresolvedCritical > 0) {
    const findings = scan.unresolvedCritical === 1 ? "1 unresolved critical finding" : `${scan.unresolvedCritical} unresolved critical findings`;
    reasons.push(`The latest security scan (${scan.tool}) has ${findings}.`);
  }
  if (!recordsOf(evidence, "sbom").length) reasons.push("No SBOM is attached.");
  return check("security", reasons);
}

/** The checks as a pure function of the evidence, the policies, the server's data classification and the version's tools. */
export function evaluateChecks(
  evidence: readonly EvidenceForChecks[],
  policies: CheckPolicies,
  classification: DataClassification,
  now: Date = new Date(),
  tools: readonly ToolForChecks[] = [],
): PrereleaseChecks {
  const today = now.toISOString().slice(0, 10);
  const checks = [
    quality(evidence, policies["certification.requiredEvalMetrics"]),
    safety(evidence),
    compliance(evidence, policies["certification.complianceByClassification"][classification] ?? [], classification, today),
    security(evidence, tools),
  ];
  return { passed: checks.every((result) => result.passed), checks };
}

/** The prerelease checks of one version, from its stored evidence and the policies in force now. */
export async function prereleaseChecks(versionId: string): Promise<PrereleaseChecks> {
  const version = z.uuid().safeParse(versionId).success
    ? await db().serverVersion.findUnique({
        where: { id: versionId },
        select: {
          server: { select: { classification: true } },
          evidence: { select: { kind: true, record: true, createdAt: true }, orderBy: { createdAt: "asc" } },
          tools: { select: { name: true, inputSchema: true, outputSchema: true }, orderBy: { position: "asc" } },
        },
      })
    : null;
  if (!version) throw new NotFoundError("That version does not exist.");
  return evaluateChecks(version.evidence, await getPolicies(), version.server.classification, new Date(), version.tools);
}

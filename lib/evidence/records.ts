import { z } from "zod";
import type { EvidenceKind } from "@/lib/generated/prisma/client";

// What Toolgate stores in `evidence.record` for each kind: written by parse.ts, read by the
// prerelease checks and the pages. Readers parse with these schemas rather than trusting a cast.

export const evidenceKinds = [
  "eval_result",
  "red_team_report",
  "security_scan",
  "compliance_attestation",
  "sbom",
  "approval",
  "audit_artifact",
] as const satisfies readonly EvidenceKind[];

export const evidenceKindLabels: Record<EvidenceKind, string> = {
  eval_result: "Eval result",
  red_team_report: "Red-team report",
  security_scan: "Security scan",
  compliance_attestation: "Compliance attestation",
  sbom: "SBOM",
  approval: "Approval",
  audit_artifact: "Audit artifact",
};

export const evalDirections = ["higher-is-better", "lower-is-better"] as const;
export type EvalDirection = (typeof evalDirections)[number];

const count = z.number().int().min(0);
export const severities = ["critical", "high", "medium", "low"] as const;
export type Severity = (typeof severities)[number];

const recordSchemas = {
  eval_result: z.object({
    metric: z.string(),
    score: z.number(),
    threshold: z.number(),
    direction: z.enum(evalDirections),
    passed: z.boolean(),
  }),
  red_team_report: z.object({ outcome: z.enum(["pass", "fail"]), summary: z.string() }),
  security_scan: z.object({
    /** "sarif" when read from an uploaded SARIF file, "summary" when the counts were typed in. */
    format: z.enum(["sarif", "summary"]),
    tool: z.string(),
    /** Every finding by severity, resolved or not. */
    findings: z.object({ critical: count, high: count, medium: count, low: count }),
    /** Findings suppressed as accepted, or absent from the current baseline. */
    resolved: count,
    unresolvedCritical: count,
  }),
  compliance_attestation: z.object({
    framework: z.string(),
    scope: z.string(),
    issuer: z.string().optional(),
    /** The last day (YYYY-MM-DD, UTC) the attestation is valid. */
    validUntil: z.iso.date().optional(),
  }),
  sbom: z.object({
    format: z.literal("CycloneDX"),
    specVersion: z.string(),
    components: z.array(z.object({ name: z.string(), version: z.string().nullable(), purl: z.string().optional() })),
    componentCount: count,
  }),
  approval: z.object({ approver: z.string(), decision: z.enum(["approved", "denied"]), note: z.string().optional() }),
  audit_artifact: z.object({ description: z.string() }),
} as const satisfies Record<EvidenceKind, z.ZodType>;

export type EvidenceRecord<K extends EvidenceKind = EvidenceKind> = z.output<(typeof recordSchemas)[K]>;
export type SecurityScanRecord = EvidenceRecord<"security_scan">;
export type SbomRecord = EvidenceRecord<"sbom">;

/** Whether an eval score meets its threshold in the metric's direction. */
export function evalPasses(score: number, threshold: number, direction: EvalDirection): boolean {
  return direction === "lower-is-better" ? score <= threshold : score >= threshold;
}

/** A stored record read back as its kind's shape, or null when it does not fit (never trusted blindly). */
export function readRecord<K extends EvidenceKind>(kind: K, record: unknown): EvidenceRecord<K> | null {
  const parsed = recordSchemas[kind].safeParse(record);
  return parsed.success ? (parsed.data as EvidenceRecord<K>) : null;
}

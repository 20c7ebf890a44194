import type { EvidenceKind } from "@/lib/generated/prisma/client";
import { type EvidenceRecord, readRecord } from "./records";

// One line per evidence item for the entry page: what Toolgate read from it, in the terms the
// prerelease checks use ("accuracy 0.92 ≥ 0.8 · passed", "critical 1 unresolved · high 0 …").

const longest = 120;

/** Free text cut to one short line. */
function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > longest ? `${line.slice(0, longest - 1).trimEnd()}…` : line;
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

function evalLine(record: EvidenceRecord<"eval_result">): string {
  const higher = record.direction === "higher-is-better";
  // The sign states how the score really compares, so a failing result never reads as meeting its threshold.
  const sign = record.passed ? (higher ? "≥" : "≤") : higher ? "<" : ">";
  return `${record.metric} ${record.score} ${sign} ${record.threshold} · ${record.passed ? "passed" : "failed"}`;
}

function scanLine(record: EvidenceRecord<"security_scan">): string {
  const { findings, unresolvedCritical, resolved } = record;
  const critical =
    unresolvedCritical === findings.critical
      ? `critical ${unresolvedCritical} unresolved`
      : `critical ${unresolvedCritical} unresolved of ${findings.critical}`;
  const parts = [record.tool, critical, `high ${findings.high}`, `medium ${findings.medium}`, `low ${findings.low}`];
  if (resolved > 0) parts.push(`${resolved} resolved`);
  return parts.join(" · ");
}

function attestationLine(record: EvidenceRecord<"compliance_attestation">, today: string): string {
  const parts = [record.framework, excerpt(record.scope)];
  if (record.issuer) parts.push(`issued by ${record.issuer}`);
  if (record.validUntil) parts.push(record.validUntil < today ? `expired on ${record.validUntil}` : `valid until ${record.validUntil}`);
  return parts.join(" · ");
}

const lines: { [K in EvidenceKind]: (record: EvidenceRecord<K>, today: string) => string } = {
  eval_result: evalLine,
  red_team_report: (record) => `${record.outcome === "pass" ? "passed" : "failed"} · ${excerpt(record.summary)}`,
  security_scan: scanLine,
  compliance_attestation: attestationLine,
  sbom: (record) => `${record.format} ${record.specVersion} · ${plural(record.componentCount, "component", "components")}`,
  approval: (record) => [`${record.decision} by ${record.approver}`, ...(record.note ? [excerpt(record.note)] : [])].join(" · "),
  audit_artifact: (record) => excerpt(record.description),
};

/** What an evidence item says, in one line; a record that does not fit its kind says so rather than guessing. */
export function evidenceSummary(kind: EvidenceKind, stored: unknown, now: Date = new Date()): string {
  const record = readRecord(kind, stored);
  if (!record) return "The stored record could not be read.";
  const line = lines[kind] as (record: EvidenceRecord, today: string) => string;
  return line(record, now.toISOString().slice(0, 10));
}

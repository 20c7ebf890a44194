import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import type { EvidenceKind } from "@/lib/generated/prisma/client";
import { hasUnsafeCharacters, safeName, safeText } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";
import { readCycloneDx } from "./cyclonedx";
import { fileTooLarge } from "./file-size";
import {
  evalDirections,
  evalPasses,
  evidenceKindLabels,
  evidenceKinds,
  type EvidenceRecord,
  type SecurityScanRecord,
} from "./records";
import { summarizeSarif } from "./sarif";

// Turns an evidence submission (a form or JSON body, plus an optional uploaded file) into what is
// stored: a record per kind that Toolgate computed or checked itself, never one taken on trust.

/** An uploaded file. `size`, when the upload declares it, is checked before the bytes are looked at. */
export interface EvidenceFile {
  name: string;
  mediaType?: string;
  bytes: Uint8Array;
  size?: number;
}

export interface ParsedEvidence<K extends EvidenceKind = EvidenceKind> {
  kind: K;
  title: string;
  record: EvidenceRecord<K>;
  file: { name: string; mediaType: string; bytes: Buffer<ArrayBuffer> } | null;
}

// Re-exported for callers that read sizes alongside parsing; the browser imports ./file-size directly.
export { formatBytes } from "./file-size";

const fileError = (message: string) => new ValidationError(message, { file: [message] });

// Control characters, bidirectional overrides (which make "evil\u202Etxt.exe" read as "evilexe.txt") and
// path separators have no place in a stored file name people will read and download.
const pathSeparators = /[/\\]/;
const mediaTypePattern = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*(\s*;.*)?$/i;

/** Checks an uploaded file, its size first so an oversized upload is refused before anything else. */
export function checkFile(raw: unknown, maxBytes: number): NonNullable<ParsedEvidence["file"]> {
  if (typeof raw !== "object" || raw === null) throw fileError("The file could not be read.");
  const file = raw as Partial<Record<keyof EvidenceFile, unknown>>;
  const declared = typeof file.size === "number" ? file.size : undefined;
  const length = typeof (file.bytes as { length?: unknown } | undefined)?.length === "number" ? (file.bytes as { length: number }).length : undefined;
  const size = Math.max(declared ?? 0, length ?? 0);
  const tooLarge = fileTooLarge(size, maxBytes);
  if (tooLarge) throw fileError(tooLarge);
  if (!(file.bytes instanceof Uint8Array)) throw fileError("The file could not be read.");
  if (declared !== undefined && declared !== file.bytes.length) throw fileError("The file arrived incomplete: its size does not match its content.");
  if (file.bytes.length === 0) throw fileError("The file is empty.");

  const name = typeof file.name === "string" ? file.name.trim() : "";
  if (!name) throw fileError("The file needs a name.");
  if (name.length > 255) throw fileError("The file name must be at most 255 characters.");
  if (hasUnsafeCharacters(name, { singleLine: true }) || pathSeparators.test(name) || name === "." || name === "..") {
    throw fileError("The file name must not contain path separators (/ or \\), control or bidirectional-override characters.");
  }
  const mediaType = typeof file.mediaType === "string" && file.mediaType.trim() ? file.mediaType.trim() : "application/octet-stream";
  if (mediaType.length > 255 || !mediaTypePattern.test(mediaType)) throw fileError("The file's media type is not valid.");

  // A view on the upload's own memory where possible; a copy only for exotic (shared) buffers.
  const source = file.bytes;
  const bytes = source.buffer instanceof ArrayBuffer ? Buffer.from(source.buffer, source.byteOffset, source.byteLength) : Buffer.from(source);
  return { name, mediaType, bytes };
}

// ---- Field schemas. Forms send strings, and an empty field means "not given". ----

const blankToUndefined = (value: unknown) => (value === null || (typeof value === "string" && value.trim() === "") ? undefined : value);

// Names and titles are one line; summaries, scopes and notes may span lines. Neither may carry control or
// bidirectional-override characters.
const text = (label: string, max: number, { singleLine = true } = {}) =>
  z
    .string({ error: `${label} is required.` })
    .trim()
    .min(1, `${label} is required.`)
    .max(max, `${label} must be at most ${max} characters.`)
    .pipe(singleLine ? safeName(label) : safeText(label));
const longText = (label: string, max: number) => text(label, max, { singleLine: false });

const optionalText = (label: string, max: number, options: { singleLine?: boolean } = {}) => z.preprocess(blankToUndefined, text(label, max, options).optional());

const decimal = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** A number, or a string holding one; anything else (including "", NaN and Infinity) is refused. */
const numberField = (label: string) =>
  z.preprocess(
    (value) => (typeof value === "string" ? (decimal.test(value.trim()) ? Number(value.trim()) : NaN) : value),
    z.number({ error: `${label} must be a number.` }),
  );

const countField = (label: string) =>
  z.preprocess(
    (value) => (typeof value === "string" ? (/^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN) : value),
    z
      .number({ error: `${label} must be a whole number, 0 or more.` })
      .int(`${label} must be a whole number, 0 or more.`)
      .min(0, `${label} must be a whole number, 0 or more.`),
  );

const envelope = z.object({
  kind: z.enum(evidenceKinds, { error: `Choose a kind of evidence: ${Object.values(evidenceKindLabels).join(", ").toLowerCase()}.` }),
  title: optionalText("Title", 200),
});

const fieldSchemas = {
  eval_result: z.object({
    metric: text("Metric", 100),
    score: numberField("Score"),
    threshold: numberField("Threshold"),
    direction: z.preprocess(
      blankToUndefined,
      z.enum(evalDirections, { error: 'Direction must be "higher-is-better" or "lower-is-better".' }).default("higher-is-better"),
    ),
  }),
  red_team_report: z.object({
    outcome: z.enum(["pass", "fail"], { error: 'Outcome must be "pass" or "fail".' }),
    summary: longText("Summary", 5000),
  }),
  security_scan: z.object({
    tool: text("Tool", 100),
    critical: countField("Critical"),
    high: countField("High"),
    medium: countField("Medium"),
    low: countField("Low"),
  }),
  compliance_attestation: z.object({
    framework: text("Framework", 100),
    scope: longText("Scope", 2000),
    issuer: optionalText("Issuer", 200),
    validUntil: z.preprocess(blankToUndefined, z.iso.date({ error: "Valid until must be a date (YYYY-MM-DD)." }).optional()),
  }),
  approval: z.object({
    approver: text("Approver", 200),
    decision: z.enum(["approved", "denied"], { error: 'Decision must be "approved" or "denied".' }),
    note: optionalText("Note", 5000, { singleLine: false }),
  }),
  audit_artifact: z.object({ description: longText("Description", 5000) }),
} as const;

type WithoutUndefined<T> = { [K in keyof T]: Exclude<T[K], undefined> };
/** Drops optional fields that were not given, so the record (and its canonical hash) holds only real values. */
function compact<T extends object>(value: T): WithoutUndefined<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as WithoutUndefined<T>;
}

async function recordFor(kind: EvidenceKind, input: unknown, file: ParsedEvidence["file"]): Promise<{ record: EvidenceRecord; title: string }> {
  switch (kind) {
    case "eval_result": {
      const { metric, score, threshold, direction } = parseInput(fieldSchemas.eval_result, input);
      return { record: { metric, score, threshold, direction, passed: evalPasses(score, threshold, direction) }, title: `Eval: ${metric}` };
    }
    case "red_team_report": {
      const record = parseInput(fieldSchemas.red_team_report, input);
      return { record, title: `Red-team report (${record.outcome})` };
    }
    case "security_scan": {
      // An uploaded scan is read for its counts; typed-in counts apply only when there is no file.
      let record: SecurityScanRecord;
      if (file) {
        record = summarizeSarif(file.bytes);
      } else {
        const { tool, ...findings } = parseInput(fieldSchemas.security_scan, input);
        record = { format: "summary", tool, findings, resolved: 0, unresolvedCritical: findings.critical };
      }
      return { record, title: `Security scan (${record.tool})` };
    }
    case "compliance_attestation": {
      const record = compact(parseInput(fieldSchemas.compliance_attestation, input));
      return { record, title: `${record.framework} attestation` };
    }
    case "sbom": {
      if (!file) throw fileError("Upload the SBOM as a CycloneDX JSON file.");
      const record = await readCycloneDx(file.bytes);
      return { record, title: `SBOM (CycloneDX ${record.specVersion}, ${record.componentCount} components)` };
    }
    case "approval": {
      const record = compact(parseInput(fieldSchemas.approval, input));
      return { record, title: `Approval by ${record.approver} (${record.decision})` };
    }
    case "audit_artifact": {
      const record = parseInput(fieldSchemas.audit_artifact, input);
      if (!file) throw fileError("An audit artifact needs its file.");
      return { record, title: file.name };
    }
  }
}

/**
 * Reads an evidence submission: `{ kind, title?, file?, ...the kind's fields }`. Throws a ValidationError
 * naming each problem; on error nothing has been stored, since storing comes after.
 */
export async function parseEvidence(input: unknown, limits: { maxUploadBytes: number }): Promise<ParsedEvidence> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new ValidationError("The evidence is missing.");
  const fields = input as Record<string, unknown>;
  const file = fields.file === undefined || fields.file === null ? null : checkFile(fields.file, limits.maxUploadBytes);
  const { kind, title } = parseInput(envelope, fields);
  const parsed = await recordFor(kind, fields, file);
  return { kind, title: title ?? parsed.title, record: parsed.record, file };
}

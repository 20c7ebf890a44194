import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { MiB } from "@/lib/settings/policy";
import { checkFile, formatBytes, parseEvidence } from "./parse";

const limits = { maxUploadBytes: 10 * MiB };
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../test/fixtures/evidence", name));
const jsonFile = (name: string, value: unknown) => ({ name, mediaType: "application/json", bytes: Buffer.from(JSON.stringify(value)) });

/** The ValidationError a submission is refused with. */
async function refusal(input: unknown): Promise<ValidationError> {
  const error = await parseEvidence(input, limits).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

const sarif = (results: unknown[], rules: unknown[] = []) => ({
  version: "2.1.0",
  runs: [{ tool: { driver: { name: "Scanner", rules } }, results }],
});

describe("eval results", () => {
  it("computes passed from score and threshold, never taking it from the input", async () => {
    const good = await parseEvidence({ kind: "eval_result", metric: "accuracy", score: 0.92, threshold: 0.8 }, limits);
    expect(good).toMatchObject({
      kind: "eval_result",
      title: "Eval: accuracy",
      record: { metric: "accuracy", score: 0.92, threshold: 0.8, direction: "higher-is-better", passed: true },
      file: null,
    });
    const bad = await parseEvidence({ kind: "eval_result", metric: "accuracy", score: "0.71", threshold: "0.8", passed: true }, limits);
    expect(bad.record).toEqual({ metric: "accuracy", score: 0.71, threshold: 0.8, direction: "higher-is-better", passed: false });
  });

  it("honours lower-is-better metrics", async () => {
    const fast = { kind: "eval_result", metric: "p95 latency ms", threshold: 500, direction: "lower-is-better" };
    expect((await parseEvidence({ ...fast, score: 420 }, limits)).record).toMatchObject({ passed: true });
    expect((await parseEvidence({ ...fast, score: 900 }, limits)).record).toMatchObject({ passed: false });
    expect((await parseEvidence({ ...fast, score: 500 }, limits)).record).toMatchObject({ passed: true });
  });

  it.each(["abc", "", "  ", NaN, Infinity, -Infinity, "Infinity", "1,5", null, undefined, {}])("refuses the score %s", async (score) => {
    const error = await refusal({ kind: "eval_result", metric: "accuracy", score, threshold: 0.8 });
    expect(error.message).toBe("Score must be a number.");
    expect(error.fieldErrors).toEqual({ score: ["Score must be a number."] });
  });

  it("names every missing field", async () => {
    const error = await refusal({ kind: "eval_result", direction: "sideways" });
    expect(Object.keys(error.fieldErrors).sort()).toEqual(["direction", "metric", "score", "threshold"]);
  });
});

describe("documents read from the test fixtures", () => {
  it.each([
    {
      does: "counts a SARIF file's findings by severity and sees the unresolved critical",
      input: { kind: "security_scan", file: { name: "codeql.sarif", mediaType: "application/sarif+json", bytes: fixture("sarif-critical.json") } },
      record: { format: "sarif", tool: "CodeQL", findings: { critical: 1, high: 0, medium: 1, low: 0 }, resolved: 0, unresolvedCritical: 1 },
      title: "Security scan (CodeQL)",
    },
    {
      does: "reads a CycloneDX document's components",
      input: { kind: "sbom", file: { name: "bom.json", mediaType: "application/vnd.cyclonedx+json", bytes: fixture("sbom-cyclonedx.json") } },
      record: {
        format: "CycloneDX",
        specVersion: "1.5",
        components: [
          { name: "sdk", version: "1.32.2", purl: "pkg:npm/%40modelcontextprotocol/sdk@1.32.2" },
          { name: "zod", version: "4.6.7", purl: "pkg:npm/zod@4.6.7" },
          { name: "pg", version: "8.23.1", purl: "pkg:npm/pg@8.23.1" },
        ],
        componentCount: 3,
      },
      title: "SBOM (CycloneDX 1.5, 3 components)",
    },
  ])("$does", async ({ input, record, title }) => {
    const parsed = await parseEvidence(input, limits);
    expect(parsed.record).toEqual(record);
    expect(parsed.title).toBe(title);
    expect(parsed.file).toMatchObject({ name: input.file.name, mediaType: input.file.mediaType });
  });
});

describe("security scans", () => {
  it("reads a clean scan as clean", async () => {
    const parsed = await parseEvidence({ kind: "security_scan", file: { name: "semgrep.sarif", bytes: fixture("sarif-clean.json") } }, limits);
    expect(parsed.record).toMatchObject({ tool: "Semgrep OSS", findings: { critical: 0, high: 0, medium: 0, low: 0 }, unresolvedCritical: 0 });
    expect(parsed.file?.mediaType).toBe("application/octet-stream");
  });

  it("grades by security-severity first, else by level; accepted suppressions and absent baselines count as resolved", async () => {
    const results = [
      { level: "note", properties: { "security-severity": 9.1 } }, // critical by CVSS despite the level
      { level: "error", properties: { "security-severity": "7.0" } }, // high
      { level: "error", properties: { "security-severity": "3.9" } }, // low
      { level: "error", properties: { "security-severity": "0" } }, // no severity: not counted
      { level: "error" }, // high
      { level: "warning" }, // medium
      {}, // warning by default: medium
      { level: "note" }, // low
      { level: "none" }, // not a finding
      { kind: "pass", level: "error" }, // not a finding
      { ruleIndex: 0 }, // takes the rule's severity: critical
      { ruleId: "crit", suppressions: [{ kind: "external", status: "accepted" }] }, // critical, resolved
      { ruleId: "crit", suppressions: [{ kind: "inSource" }] }, // critical, resolved (no status)
      { ruleId: "crit", suppressions: [{ kind: "external", status: "underReview" }] }, // critical, unresolved
      { ruleId: "crit", baselineState: "absent" }, // critical, resolved
    ];
    const parsed = await parseEvidence({ kind: "security_scan", file: jsonFile("scan.sarif", sarif(results, [{ id: "crit", properties: { "security-severity": "10.0" } }])) }, limits);
    expect(parsed.record).toEqual({
      format: "sarif",
      tool: "Scanner",
      findings: { critical: 6, high: 2, medium: 2, low: 2 },
      resolved: 3,
      unresolvedCritical: 3,
    });
  });

  it("takes typed-in counts when there is no file", async () => {
    const parsed = await parseEvidence({ kind: "security_scan", tool: "Trivy", critical: "0", high: "2", medium: 5, low: 0 }, limits);
    expect(parsed.record).toEqual({ format: "summary", tool: "Trivy", findings: { critical: 0, high: 2, medium: 5, low: 0 }, resolved: 0, unresolvedCritical: 0 });
    const error = await refusal({ kind: "security_scan", tool: "Trivy", critical: -1, high: 1.5, medium: "x" });
    expect(Object.keys(error.fieldErrors).sort()).toEqual(["critical", "high", "low", "medium"]);
    expect(error.fieldErrors.critical).toEqual(["Critical must be a whole number, 0 or more."]);
  });

  it.each([
    ["not JSON", Buffer.from("<html>"), "it is not valid JSON."],
    ["another version", Buffer.from(JSON.stringify({ ...sarif([]), version: "2.0.0" })), 'version must be "2.1.0".'],
    ["no runs", Buffer.from(JSON.stringify({ version: "2.1.0" })), "runs must be a list."],
    ["a run without a tool name", Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: {} }, results: [] }] })), "runs[0].tool.driver.name is required."],
    ["a run without results", Buffer.from(JSON.stringify({ version: "2.1.0", runs: [{ tool: { driver: { name: "x" } } }] })), "runs[0].results must be a list."],
  ])("refuses %s", async (_, bytes, reason) => {
    const error = await refusal({ kind: "security_scan", file: { name: "scan.sarif", bytes } });
    expect(error.message).toBe(`The security scan is not a SARIF 2.1.0 JSON document: ${reason}`);
    expect(error.fieldErrors.file).toEqual([error.message]);
  });
});

describe("SBOMs", () => {
  it("accepts every spec version from 1.2 to 1.6 and includes nested components", async () => {
    for (const specVersion of ["1.2", "1.3", "1.4", "1.5", "1.6"]) {
      const bom = {
        bomFormat: "CycloneDX",
        specVersion,
        version: 1,
        components: [{ type: "library", name: "outer", version: "1.0.0", components: [{ type: "library", name: "inner", version: "2.0.0" }] }],
      };
      const parsed = await parseEvidence({ kind: "sbom", file: jsonFile("bom.json", bom) }, limits);
      expect(parsed.record).toMatchObject({ specVersion, componentCount: 2, components: [{ name: "outer", version: "1.0.0" }, { name: "inner", version: "2.0.0" }] });
    }
    // From 1.4 on a component's version is optional; 1.2 and 1.3 require it, and the schema says so.
    const unversioned = { bomFormat: "CycloneDX", specVersion: "1.6", components: [{ type: "data", name: "training-set" }] };
    expect((await parseEvidence({ kind: "sbom", file: jsonFile("bom.json", unversioned) }, limits)).record).toMatchObject({
      components: [{ name: "training-set", version: null }],
    });
    const old = { bomFormat: "CycloneDX", specVersion: "1.3", components: [{ type: "library", name: "zod" }] };
    expect((await refusal({ kind: "sbom", file: jsonFile("bom.json", old) })).message).toBe(
      "The SBOM is not a CycloneDX JSON document: components[0] must have required property 'version'.",
    );
  });

  it.each([
    ["an SPDX document", fixture("sbom-spdx.json"), "it is an SPDX document. Export the SBOM as CycloneDX JSON."],
    ["random JSON", Buffer.from('{"hello": "world"}'), 'bomFormat must be "CycloneDX".'],
    ["a JSON array", Buffer.from("[]"), "it is not a JSON object."],
    ["not JSON", Buffer.from("name,version\nzod,4.6.7\n"), "it is not valid JSON."],
    ["CycloneDX XML", Buffer.from('<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>'), "it is not valid JSON."],
    ["an unsupported spec version", Buffer.from(JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.1", components: [] })), 'specVersion "1.1" is not supported; use 1.2 to 1.6.'],
    ["a document without components", Buffer.from(JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.5" })), "it has no components list."],
    [
      "a component without a type",
      Buffer.from(JSON.stringify({ bomFormat: "CycloneDX", specVersion: "1.5", components: [{ name: "zod" }] })),
      "components[0] must have required property 'type'.",
    ],
  ])("refuses %s", async (_, bytes, reason) => {
    const error = await refusal({ kind: "sbom", file: { name: "bom.json", bytes } });
    expect(error.message).toBe(`The SBOM is not a CycloneDX JSON document: ${reason}`);
  });

  it("needs a file", async () => {
    expect((await refusal({ kind: "sbom" })).fieldErrors).toEqual({ file: ["Upload the SBOM as a CycloneDX JSON file."] });
  });
});

describe("the other kinds", () => {
  it("reads red-team reports, attestations, approvals and audit artifacts", async () => {
    const report = await parseEvidence({ kind: "red_team_report", outcome: "pass", summary: "No jailbreaks in 500 prompts." }, limits);
    expect(report.record).toEqual({ outcome: "pass", summary: "No jailbreaks in 500 prompts." });

    const attestation = await parseEvidence({ kind: "compliance_attestation", framework: "SOC 2", scope: "Type II, records service", issuer: "", validUntil: "2027-06-30" }, limits);
    expect(attestation.record).toEqual({ framework: "SOC 2", scope: "Type II, records service", validUntil: "2027-06-30" });
    expect(attestation.title).toBe("SOC 2 attestation");

    const approval = await parseEvidence({ kind: "approval", approver: "CISO", decision: "approved", title: "Security sign-off" }, limits);
    expect(approval).toMatchObject({ title: "Security sign-off", record: { approver: "CISO", decision: "approved" } });

    const artifact = await parseEvidence({ kind: "audit_artifact", description: "Pen-test letter", file: { name: "letter.pdf", mediaType: "application/pdf", bytes: Buffer.from("%PDF-1.7") } }, limits);
    expect(artifact).toMatchObject({ title: "letter.pdf", record: { description: "Pen-test letter" }, file: { name: "letter.pdf", mediaType: "application/pdf" } });
  });

  it("refuses bad values with field-level errors", async () => {
    expect((await refusal({ kind: "red_team_report", outcome: "maybe", summary: "" })).fieldErrors).toEqual({
      outcome: ['Outcome must be "pass" or "fail".'],
      summary: ["Summary is required."],
    });
    expect((await refusal({ kind: "compliance_attestation", framework: "SOC 2", scope: "all", validUntil: "2027-02-30" })).fieldErrors).toEqual({
      validUntil: ["Valid until must be a date (YYYY-MM-DD)."],
    });
    expect((await refusal({ kind: "approval", approver: "CISO", decision: "yes" })).fieldErrors).toHaveProperty("decision");
    expect((await refusal({ kind: "audit_artifact", description: "letter" })).fieldErrors).toEqual({ file: ["An audit artifact needs its file."] });
    expect((await refusal({ kind: "opinion" })).fieldErrors).toHaveProperty("kind");
    await expect(parseEvidence(null, limits)).rejects.toThrow(ValidationError);
  });
});

describe("files", () => {
  it("checks the size first, from the declared size, before reading anything", () => {
    const huge = { name: "weights.bin", size: 200 * MiB, bytes: Buffer.alloc(0) };
    expect(() => checkFile(huge, 10 * MiB)).toThrow("The file is 200 MB; the limit is 10 MB.");
    // A Buffer-like with a large length is refused the same way, before its content is looked at.
    const lengthOnly = { name: "weights.bin", bytes: { length: 200 * MiB } };
    expect(() => checkFile(lengthOnly, 10 * MiB)).toThrow("The file is 200 MB; the limit is 10 MB.");
    expect(() => checkFile({ name: "a.bin", bytes: Buffer.alloc(10 * MiB + 1) }, 10 * MiB)).toThrow("The file is 10.1 MB; the limit is 10 MB.");
  });

  it("refuses empty files, unsafe names and broken uploads", () => {
    const ok = Buffer.from("x");
    expect(() => checkFile({ name: "empty.txt", bytes: Buffer.alloc(0) }, MiB)).toThrow("The file is empty.");
    for (const name of ["../etc/passwd", "a/b.txt", "a\\b.txt", "bad\u0000name", "new\nline", "..", ""]) {
      expect(() => checkFile({ name, bytes: ok }, MiB)).toThrow(ValidationError);
    }
    expect(() => checkFile({ name: "a.txt", bytes: "text" }, MiB)).toThrow("The file could not be read.");
    expect(() => checkFile({ name: "a.txt", bytes: ok, size: 5 }, MiB)).toThrow(/incomplete/);
    expect(() => checkFile({ name: "a.txt", bytes: ok, mediaType: "not a type" }, MiB)).toThrow("The file's media type is not valid.");
    expect(checkFile({ name: " report (final).pdf ", bytes: new Uint8Array([1, 2]), mediaType: "application/pdf" }, MiB)).toMatchObject({
      name: "report (final).pdf",
      mediaType: "application/pdf",
    });
  });

  it("refuses an oversized file before reading the submission's fields", async () => {
    const error = await refusal({ kind: "opinion", file: { name: "big.sarif", size: 200 * MiB, bytes: Buffer.alloc(0) } });
    expect(error.message).toBe("The file is 200 MB; the limit is 10 MB.");
    expect(error.fieldErrors).toEqual({ file: ["The file is 200 MB; the limit is 10 MB."] });
  });

  it("formats sizes in binary units", () => {
    expect(formatBytes(200 * MiB)).toBe("200 MB");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(12)).toBe("12 bytes");
  });
});

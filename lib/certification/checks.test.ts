import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { NotFoundError } from "@/lib/errors";
import { parseEvidence } from "@/lib/evidence/parse";
import { addEvidence } from "@/lib/evidence/store";
import { MiB, policyDefaults, setPolicy } from "@/lib/settings/policy";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { type CheckPolicies, type EvidenceForChecks, evaluateChecks, prereleaseChecks } from "./checks";

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "../../test/fixtures/evidence", name));
const now = new Date("2026-11-24T12:00:00Z");
let clock = 0;

/** Evidence as stored: the record parse.ts makes from a submission, added a minute after the previous one. */
async function item(input: Record<string, unknown>): Promise<EvidenceForChecks> {
  const { kind, record } = await parseEvidence(input, { maxUploadBytes: 10 * MiB });
  clock += 1;
  return { kind, record, createdAt: new Date(now.getTime() - 24 * 3600_000 + clock * 60_000) };
}

const submissions = {
  accuracy: (score: number) => ({ kind: "eval_result", metric: "accuracy", score, threshold: 0.8 }),
  redTeam: (outcome: "pass" | "fail") => ({ kind: "red_team_report", outcome, summary: "500 adversarial prompts." }),
  attestation: (framework: string, validUntil?: string) => ({ kind: "compliance_attestation", framework, scope: "Records service", validUntil }),
  scan: (name: string) => ({ kind: "security_scan", file: { name, bytes: fixture(name) } }),
  sbom: () => ({ kind: "sbom", file: { name: "bom.json", bytes: fixture("sbom-cyclonedx.json") } }),
};

async function passingEvidence(): Promise<EvidenceForChecks[]> {
  return Promise.all([
    item(submissions.accuracy(0.92)),
    item(submissions.redTeam("pass")),
    item(submissions.attestation("SOC 2", "2027-06-30")),
    item(submissions.scan("sarif-clean.json")),
    item(submissions.sbom()),
  ]);
}

const policies: CheckPolicies = policyDefaults;
const withRequired = (metrics: string[]): CheckPolicies => ({ ...policies, "certification.requiredEvalMetrics": metrics });

function check(result: ReturnType<typeof evaluateChecks>, name: string) {
  return result.checks.find((entry) => entry.name === name)!;
}

describe("evaluateChecks", () => {
  it("passes every check with complete, passing evidence", async () => {
    const result = evaluateChecks(await passingEvidence(), policies, "confidential", now);
    expect(result).toEqual({
      passed: true,
      checks: [
        { name: "quality", passed: true, reasons: [] },
        { name: "safety", passed: true, reasons: [] },
        { name: "compliance", passed: true, reasons: [] },
        { name: "security", passed: true, reasons: [] },
      ],
    });
  });

  it("fails every check, saying why, with no evidence", () => {
    const result = evaluateChecks([], policies, "restricted", now);
    expect(result.passed).toBe(false);
    expect(result.checks).toEqual([
      { name: "quality", passed: false, reasons: ["No eval result is attached."] },
      { name: "safety", passed: false, reasons: ["No red-team report is attached."] },
      {
        name: "compliance",
        passed: false,
        reasons: ["No SOC 2 attestation is attached; restricted data requires one.", "No ISO 27001 attestation is attached; restricted data requires one."],
      },
      { name: "security", passed: false, reasons: ["No security scan is attached.", "No SBOM is attached."] },
    ]);
  });

  describe("quality", () => {
    it("fails on a failing eval, naming score and threshold", async () => {
      const evidence = [...(await passingEvidence()), await item(submissions.accuracy(0.71))];
      const result = evaluateChecks(evidence, policies, "confidential", now);
      expect(result.passed).toBe(false);
      expect(check(result, "quality")).toEqual({ name: "quality", passed: false, reasons: ["Eval 'accuracy' scored 0.71, below its threshold 0.8."] });
      expect(result.checks.filter((entry) => !entry.passed).map((entry) => entry.name)).toEqual(["quality"]);
    });

    it("counts the latest result per metric", async () => {
      const fixed = [await item(submissions.accuracy(0.71)), await item(submissions.accuracy(0.85))];
      expect(check(evaluateChecks(fixed, policies, "public", now), "quality").passed).toBe(true);
      const regressed = [await item(submissions.accuracy(0.85)), await item({ kind: "eval_result", metric: "Accuracy", score: 0.5, threshold: 0.8 })];
      expect(check(evaluateChecks(regressed, policies, "public", now), "quality").reasons).toEqual(["Eval 'Accuracy' scored 0.5, below its threshold 0.8."]);
      // The order of the list does not matter; the time added does.
      expect(check(evaluateChecks([...fixed].reverse(), policies, "public", now), "quality").passed).toBe(true);
    });

    it("with required metrics, needs each one passing and ignores the rest", async () => {
      const evidence = [
        await item(submissions.accuracy(0.9)),
        await item({ kind: "eval_result", metric: "latency ms", score: 900, threshold: 500, direction: "lower-is-better" }),
      ];
      expect(check(evaluateChecks(evidence, withRequired(["ACCURACY"]), "public", now), "quality").passed).toBe(true);
      expect(check(evaluateChecks(evidence, withRequired(["accuracy", "latency ms", "toxicity"]), "public", now), "quality").reasons).toEqual([
        "Eval 'latency ms' scored 900, above its threshold 500.",
        "No eval result for the required metric 'toxicity'.",
      ]);
      expect(check(evaluateChecks(evidence, policies, "public", now), "quality").passed).toBe(false);
    });
  });

  describe("safety", () => {
    it("needs the latest red-team report to pass", async () => {
      const failed = [await item(submissions.redTeam("pass")), await item(submissions.redTeam("fail"))];
      expect(check(evaluateChecks(failed, policies, "public", now), "safety").reasons).toEqual(["The latest red-team report did not pass."]);
      const retested = [...failed, await item(submissions.redTeam("pass"))];
      expect(check(evaluateChecks(retested, policies, "public", now), "safety").passed).toBe(true);
    });
  });

  describe("compliance", () => {
    it("needs what the classification requires, matching framework names case-insensitively", async () => {
      expect(check(evaluateChecks([], policies, "public", now), "compliance").passed).toBe(true);
      const soc2 = [await item(submissions.attestation("soc 2"))];
      expect(check(evaluateChecks(soc2, policies, "confidential", now), "compliance").passed).toBe(true);
      expect(check(evaluateChecks(soc2, policies, "restricted", now), "compliance").reasons).toEqual([
        "No ISO 27001 attestation is attached; restricted data requires one.",
      ]);
    });

    it("does not count an expired attestation", async () => {
      const expired = [await item(submissions.attestation("SOC 2", "2025-01-31"))];
      expect(check(evaluateChecks(expired, policies, "confidential", now), "compliance").reasons).toEqual(["The SOC 2 attestation expired on 2025-01-31."]);
      const lastDay = [await item(submissions.attestation("SOC 2", "2026-11-24"))];
      expect(check(evaluateChecks(lastDay, policies, "confidential", now), "compliance").passed).toBe(true);
      const renewed = [...expired, await item(submissions.attestation("SOC 2", "2027-01-31"))];
      expect(check(evaluateChecks(renewed, policies, "confidential", now), "compliance").passed).toBe(true);
    });
  });

  describe("security", () => {
    it("fails on the SARIF scan's unresolved critical finding", async () => {
      const evidence = [await item(submissions.scan("sarif-critical.json")), await item(submissions.sbom())];
      expect(check(evaluateChecks(evidence, policies, "public", now), "security")).toEqual({
        name: "security",
        passed: false,
        reasons: ["The latest security scan (CodeQL) has 1 unresolved critical finding."],
      });
      const rescanned = [...evidence, await item(submissions.scan("sarif-clean.json"))];
      expect(check(evaluateChecks(rescanned, policies, "public", now), "security").passed).toBe(true);
    });

    it("needs an SBOM besides the scan", async () => {
      const evidence = [await item(submissions.scan("sarif-clean.json"))];
      expect(check(evaluateChecks(evidence, policies, "public", now), "security").reasons).toEqual(["No SBOM is attached."]);
    });
  });

  it("ignores records that do not fit their kind", () => {
    const bogus: EvidenceForChecks[] = [{ kind: "red_team_report", record: { outcome: "pass!" }, createdAt: now }];
    expect(check(evaluateChecks(bogus, policies, "public", now), "safety").passed).toBe(false);
  });
});

describe("prereleaseChecks", () => {
  it("reads a version's stored evidence under the policies in force", async () => {
    const owner = await makeUser(["owner"]);
    const team = await makeTeam([owner]);
    const server = await makeServer({ teamId: team.id, classification: "confidential" });
    const versionId = server.versionIds[0]!;
    for (const input of [
      submissions.accuracy(0.71),
      submissions.redTeam("pass"),
      submissions.attestation("SOC 2", "2099-12-31"),
      submissions.scan("sarif-critical.json"),
      submissions.sbom(),
    ]) {
      await addEvidence(owner, versionId, input);
    }

    const before = await prereleaseChecks(versionId);
    expect(before.passed).toBe(false);
    expect(before.checks.filter((entry) => !entry.passed)).toEqual([
      { name: "quality", passed: false, reasons: ["Eval 'accuracy' scored 0.71, below its threshold 0.8."] },
      { name: "security", passed: false, reasons: ["The latest security scan (CodeQL) has 1 unresolved critical finding."] },
    ]);

    await addEvidence(owner, versionId, submissions.scan("sarif-clean.json"));
    const admin = await makeUser(["admin"]);
    await setPolicy(admin, "certification.requiredEvalMetrics", ["toxicity"]);
    const after = await prereleaseChecks(versionId);
    expect(after.checks.filter((entry) => !entry.passed)).toEqual([
      { name: "quality", passed: false, reasons: ["No eval result for the required metric 'toxicity'."] },
    ]);
    await addEvidence(owner, versionId, { kind: "eval_result", metric: "toxicity", score: 0.01, threshold: 0.05, direction: "lower-is-better" });
    expect(await prereleaseChecks(versionId)).toMatchObject({ passed: true });
  });

  it("refuses an unknown version", async () => {
    await expect(prereleaseChecks("00000000-0000-4000-8000-000000000000")).rejects.toThrow(NotFoundError);
    await expect(prereleaseChecks("nope")).rejects.toThrow(NotFoundError);
  });
});

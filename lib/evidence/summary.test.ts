import { describe, expect, it } from "vitest";
import { evidenceSummary } from "./summary";

const now = new Date("2026-03-01T12:00:00Z");

describe("evidenceSummary", () => {
  it.each([
    ["a passing eval", { metric: "accuracy", score: 0.92, threshold: 0.8, direction: "higher-is-better", passed: true }, "accuracy 0.92 ≥ 0.8 · passed"],
    ["a failing eval", { metric: "accuracy", score: 0.7, threshold: 0.8, direction: "higher-is-better", passed: false }, "accuracy 0.7 < 0.8 · failed"],
    ["a lower-is-better eval", { metric: "latency_ms", score: 120, threshold: 200, direction: "lower-is-better", passed: true }, "latency_ms 120 ≤ 200 · passed"],
    ["a failing lower-is-better eval", { metric: "latency_ms", score: 250, threshold: 200, direction: "lower-is-better", passed: false }, "latency_ms 250 > 200 · failed"],
  ])("states %s", (_, record, line) => {
    expect(evidenceSummary("eval_result", record, now)).toBe(line);
  });

  it("counts a scan's findings, saying which criticals are still open", () => {
    const scan = { format: "sarif", tool: "Semgrep", findings: { critical: 2, high: 0, medium: 3, low: 1 }, resolved: 1, unresolvedCritical: 1 };
    expect(evidenceSummary("security_scan", scan, now)).toBe("Semgrep · critical 1 unresolved of 2 · high 0 · medium 3 · low 1 · 1 resolved");
    const typed = { format: "summary", tool: "trivy", findings: { critical: 0, high: 1, medium: 0, low: 0 }, resolved: 0, unresolvedCritical: 0 };
    expect(evidenceSummary("security_scan", typed, now)).toBe("trivy · critical 0 unresolved · high 1 · medium 0 · low 0");
  });

  it("names the SBOM's format and size", () => {
    const sbom = { format: "CycloneDX", specVersion: "1.5", components: [], componentCount: 3 };
    expect(evidenceSummary("sbom", sbom, now)).toBe("CycloneDX 1.5 · 3 components");
    expect(evidenceSummary("sbom", { ...sbom, componentCount: 1 }, now)).toBe("CycloneDX 1.5 · 1 component");
  });

  it("marks an expired attestation", () => {
    const attestation = { framework: "SOC 2", scope: "Type II, whole service", issuer: "Auditors LLP", validUntil: "2026-02-28" };
    expect(evidenceSummary("compliance_attestation", attestation, now)).toBe("SOC 2 · Type II, whole service · issued by Auditors LLP · expired on 2026-02-28");
    expect(evidenceSummary("compliance_attestation", { ...attestation, validUntil: "2026-03-01" }, now)).toContain("valid until 2026-03-01");
  });

  it("keeps free text to one short line", () => {
    const line = evidenceSummary("red_team_report", { outcome: "fail", summary: `Jailbreak\nsucceeded ${"x".repeat(300)}` }, now);
    expect(line.startsWith("failed · Jailbreak succeeded x")).toBe(true);
    expect(line.endsWith("…")).toBe(true);
    expect(line.length).toBeLessThan(140);
    expect(evidenceSummary("approval", { approver: "CISO", decision: "approved" }, now)).toBe("approved by CISO");
    expect(evidenceSummary("audit_artifact", { description: "Pen-test letter" }, now)).toBe("Pen-test letter");
  });

  it("says so when a stored record does not fit its kind", () => {
    expect(evidenceSummary("sbom", { metric: "accuracy" }, now)).toBe("The stored record could not be read.");
  });
});

import { readFileSync } from "node:fs";
import path from "node:path";
import type { Actor } from "@/lib/auth/roles";
import { addEvidence } from "@/lib/evidence/store";

export const evidenceFixture = (name: string) => readFileSync(path.join(import.meta.dirname, "fixtures/evidence", name));

/** Evidence that passes every prerelease check for an internal server. */
export async function addPassingEvidence(owner: Actor, versionId: string): Promise<void> {
  for (const input of [
    { kind: "eval_result", metric: "accuracy", score: 0.92, threshold: 0.8 },
    { kind: "red_team_report", outcome: "pass", summary: "500 adversarial prompts, none succeeded." },
    { kind: "security_scan", file: { name: "scan.sarif", bytes: evidenceFixture("sarif-clean.json") } },
    { kind: "sbom", file: { name: "bom.json", bytes: evidenceFixture("sbom-cyclonedx.json") } },
  ]) {
    await addEvidence(owner, versionId, input);
  }
}

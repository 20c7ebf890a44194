import type { VersionStatus } from "@/lib/generated/prisma/client";
import { type ApprovalTools, classifications, environments } from "./schemas";

// Some of an entry's fields are gates for versions a reviewer has seen: the data classification decides
// which attestations a version under review must carry, the per-environment authority boundaries
// decide which calls to a certified version wait for a person, and the sensitive fields decide what an
// approver is shown masked. The owner may edit the entry while a
// new draft is open, but not so as to weaken those gates for versions already reviewed or being
// reviewed. (The risk tier needs no such rule: gates read the reviewers' tiers, lib/catalog/risk.ts.)

type Classification = (typeof classifications)[number];

export interface ReviewedVersion {
  version: string;
  status: VersionStatus;
  tools: string[];
}

const underReview: VersionStatus[] = ["submitted", "in_review"];
const usable: VersionStatus[] = ["certified", "deprecated"];

/** What in this edit would weaken a gate of a reviewed version, as a sentence; null when nothing would. */
export function weakeningOf(
  before: { classification: Classification; approvalTools: ApprovalTools; sensitiveFields: string[] },
  after: { classification: Classification; approvalTools: ApprovalTools; sensitiveFields: string[] },
  versions: readonly ReviewedVersion[],
): string | null {
  const reviewed = versions.find((version) => [...usable, ...underReview].includes(version.status));
  const unmasked = before.sensitiveFields.find((field) => !after.sensitiveFields.includes(field));
  if (reviewed && unmasked) {
    return `${unmasked} is masked for approvers of version ${reviewed.version}, which is ${reviewed.status.replace("_", " ")}; it stays sensitive while the version can be served or is in review.`;
  }
  const reviewing = versions.find((version) => underReview.includes(version.status));
  if (reviewing && classifications.indexOf(after.classification) < classifications.indexOf(before.classification)) {
    return `Version ${reviewing.version} is being reviewed as ${before.classification} data; the classification cannot be lowered until its review ends.`;
  }
  for (const environment of environments) {
    const kept = new Set(after.approvalTools[environment] ?? []);
    for (const tool of before.approvalTools[environment] ?? []) {
      if (kept.has(tool)) continue;
      const reviewed = versions.find((version) => [...usable, ...underReview].includes(version.status) && version.tools.includes(tool));
      if (reviewed) {
        return `${tool} needs approval in ${environment} for version ${reviewed.version}, which is ${reviewed.status.replace("_", " ")}; that boundary stays while the version can be served or is in review.`;
      }
    }
  }
  return null;
}

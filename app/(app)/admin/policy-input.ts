import { classifications } from "@/lib/catalog/schemas";
import { ValidationError } from "@/lib/errors";
import { MiB, type PolicyKey } from "@/lib/settings/policy";

// Turns a policy form into the value setPolicy parses. Only the shape changes here (comma lists
// into arrays, megabytes into bytes); the rules live in lib/settings/policy.ts.

const text = (form: FormData, name: string) => String(form.get(name) ?? "");

/** "SOC 2, ISO 27001" → ["SOC 2", "ISO 27001"]; blanks between commas are dropped. */
export function commaList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
}

function megabytes(key: PolicyKey, value: string): number {
  const trimmed = value.trim();
  const number = /^(\d+\.?\d*|\.\d+)$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!Number.isFinite(number)) {
    const message = trimmed ? "The upload limit must be a number of megabytes, such as 10 or 0.5." : "Give the upload limit in megabytes.";
    throw new ValidationError(message, { [key]: [message] });
  }
  return Math.round(number * MiB);
}

/** "30" → 30; anything else goes on as typed, for the policy's schema to refuse by name. */
function wholeNumber(value: string): number | string {
  const trimmed = value.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** The form's value for a policy; an unknown key yields undefined, which setPolicy refuses by name. */
export function policyValueFrom(key: string, form: FormData): unknown {
  switch (key as PolicyKey) {
    case "certification.requiredEvalMetrics":
      return commaList(text(form, "metrics"));
    case "certification.complianceByClassification":
      return Object.fromEntries(classifications.map((classification) => [classification, commaList(text(form, classification))]));
    case "evidence.maxUploadBytes":
      return megabytes("evidence.maxUploadBytes", text(form, "maxUploadMegabytes"));
    case "registry.anonymousRead":
      // An unticked checkbox sends nothing.
      return form.get("anonymousRead") === "on";
    case "approvals.waitSeconds":
    case "approvals.requestTtlMinutes":
    case "approvals.validMinutes":
    case "approvals.maxPendingPerAgent":
    case "approvals.escalateAfterMinutes":
    case "audit.retentionDays":
      return wholeNumber(text(form, "value"));
    case "dataHandling.sensitiveArgumentFields":
      return commaList(text(form, "fields"));
    default:
      return undefined;
  }
}

import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { MiB } from "@/lib/settings/policy";
import { commaList, policyValueFrom } from "./policy-input";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

describe("policyValueFrom", () => {
  it("splits comma lists and drops blanks", () => {
    expect(commaList(" accuracy, ,toxicity ,")).toEqual(["accuracy", "toxicity"]);
    expect(policyValueFrom("certification.requiredEvalMetrics", form({ metrics: "" }))).toEqual([]);
  });

  it("reads one framework list per classification", () => {
    const value = policyValueFrom("certification.complianceByClassification", form({ public: "", internal: "", confidential: "SOC 2", restricted: "SOC 2, ISO 27001" }));
    expect(value).toEqual({ public: [], internal: [], confidential: ["SOC 2"], restricted: ["SOC 2", "ISO 27001"] });
  });

  it("turns megabytes into bytes", () => {
    expect(policyValueFrom("evidence.maxUploadBytes", form({ maxUploadMegabytes: "25" }))).toBe(25 * MiB);
    expect(policyValueFrom("evidence.maxUploadBytes", form({ maxUploadMegabytes: "0.5" }))).toBe(MiB / 2);
  });

  it.each([
    ["", "Give the upload limit in megabytes."],
    ["ten", "The upload limit must be a number of megabytes, such as 10 or 0.5."],
    ["-5", "The upload limit must be a number of megabytes, such as 10 or 0.5."],
    ["1e3", "The upload limit must be a number of megabytes, such as 10 or 0.5."],
  ])("refuses %j as megabytes, naming the field", (input, message) => {
    const attempt = () => policyValueFrom("evidence.maxUploadBytes", form({ maxUploadMegabytes: input }));
    expect(attempt).toThrow(ValidationError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as ValidationError).fieldErrors).toEqual({ "evidence.maxUploadBytes": [message] });
    }
  });

  it("reads the anonymous registry read checkbox, absent meaning off", () => {
    expect(policyValueFrom("registry.anonymousRead", form({ anonymousRead: "on" }))).toBe(true);
    expect(policyValueFrom("registry.anonymousRead", form({}))).toBe(false);
  });

  it("leaves an unknown key to setPolicy", () => {
    expect(policyValueFrom("nope", form({}))).toBeUndefined();
  });
});

describe("policyValueFrom for the approval policies", () => {
  it("reads whole numbers, and passes anything else on for the policy to refuse by name", () => {
    expect(policyValueFrom("approvals.waitSeconds", form({ value: " 30 " }))).toBe(30);
    expect(policyValueFrom("approvals.escalateAfterMinutes", form({ value: "ten" }))).toBe("ten");
    expect(policyValueFrom("approvals.maxPendingPerAgent", form({ value: "12" }))).toBe(12);
  });

  it("reads the sensitive field names; the retired risk-tier setting is no longer a form", () => {
    expect(policyValueFrom("approvals.requiredForRiskTiers", form({ tiers: "high" }))).toBeUndefined();
    expect(policyValueFrom("dataHandling.sensitiveArgumentFields", form({ fields: "password, ssn," }))).toEqual(["password", "ssn"]);
  });
});

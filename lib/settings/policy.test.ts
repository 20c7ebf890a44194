import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, ValidationError } from "@/lib/errors";
import { makeUser } from "@/test/factories";
import { getPolicies, getPolicy, MiB, policyDefaults, setPolicy } from "./policy";

describe("policy settings", () => {
  it("start at the defaults in code", async () => {
    expect(await getPolicies()).toEqual(policyDefaults);
    expect(await getPolicy("evidence.maxUploadBytes")).toBe(10 * MiB);
    expect(await getPolicy("certification.complianceByClassification")).toMatchObject({ restricted: ["SOC 2", "ISO 27001"] });
  });

  it("are changed by an administrator, with the old and new value in the audit trail", async () => {
    const admin = await makeUser(["admin"]);
    expect(await setPolicy(admin, "certification.requiredEvalMetrics", [" accuracy ", "toxicity", "Accuracy"])).toEqual(["accuracy", "toxicity"]);
    expect(await getPolicy("certification.requiredEvalMetrics")).toEqual(["accuracy", "toxicity"]);
    await setPolicy(admin, "certification.requiredEvalMetrics", ["accuracy"]);
    const events = await db().auditEvent.findMany({ where: { action: "settings.update" }, orderBy: { id: "asc" } });
    expect(events.map((event) => event.details)).toEqual([
      { key: "certification.requiredEvalMetrics", old: [], new: ["accuracy", "toxicity"] },
      { key: "certification.requiredEvalMetrics", old: ["accuracy", "toxicity"], new: ["accuracy"] },
    ]);
    expect(events[0]).toMatchObject({ actorId: admin.id, targetType: "setting", targetId: "certification.requiredEvalMetrics", outcome: "success" });
    expect(await db().setting.findUniqueOrThrow({ where: { key: "certification.requiredEvalMetrics" } })).toMatchObject({ updatedById: admin.id });
  });

  it("refuse unknown keys and invalid values, naming them", async () => {
    const admin = await makeUser(["admin"]);
    await expect(setPolicy(admin, "gateway.yolo", true)).rejects.toThrow('There is no setting named "gateway.yolo".');
    const tooBig = setPolicy(admin, "evidence.maxUploadBytes", 60 * MiB);
    await expect(tooBig).rejects.toThrow(ValidationError);
    await expect(tooBig).rejects.toThrow('The setting "evidence.maxUploadBytes" is invalid: The upload limit must be at most 50 MB.');
    const error = await setPolicy(admin, "certification.complianceByClassification", { public: [] }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toHaveProperty(["certification.complianceByClassification"]);
    expect(await getPolicy("evidence.maxUploadBytes")).toBe(10 * MiB);
  });

  it("refuse approval settings out of range or of the wrong kind, naming the problem", async () => {
    const admin = await makeUser(["admin"]);
    await expect(setPolicy(admin, "approvals.waitSeconds", 0)).rejects.toThrow("The wait must be at least 1 second.");
    await expect(setPolicy(admin, "approvals.escalateAfterMinutes", "ten")).rejects.toThrow("The escalation delay must be a number of minutes.");
    await expect(setPolicy(admin, "approvals.maxPendingPerAgent", 0)).rejects.toThrow("The cap must be at least 1 request.");
    await expect(setPolicy(admin, "approvals.maxPendingPerAgent", 2.5)).rejects.toThrow("The cap must be a whole number of requests.");
    expect(await getPolicy("approvals.maxPendingPerAgent")).toBe(10);
    expect(await setPolicy(admin, "approvals.maxPendingPerAgent", 25)).toBe(25);
    await expect(setPolicy(admin, "approvals.requiredForRiskTiers", ["critical"])).rejects.toThrow('There is no setting named "approvals.requiredForRiskTiers".');
    expect(await getPolicy("approvals.waitSeconds")).toBe(45);
  });

  it("are changed only by administrators", async () => {
    const owner = await makeUser(["owner", "reviewer"]);
    await expect(setPolicy(owner, "evidence.maxUploadBytes", MiB)).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: owner.id, action: "settings.manage", outcome: "denied" } })).toBe(1);
  });

  it("fall back to the default when a stored value no longer fits its schema", async () => {
    await db().setting.create({ data: { key: "evidence.maxUploadBytes", value: "lots" } });
    expect(await getPolicy("evidence.maxUploadBytes")).toBe(10 * MiB);
    expect((await getPolicies())["evidence.maxUploadBytes"]).toBe(10 * MiB);
  });
});

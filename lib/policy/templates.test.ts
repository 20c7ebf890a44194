import { describe, expect, it } from "vitest";
import { defaultPolicyText } from "./default-policies";
import { decide } from "./engine";
import type { PolicyAgent, PolicyTool } from "./entities";
import { checkPolicySet } from "./policy-set";
import { approvalForClassifiedData, businessHoursForDestructiveTools, classificationOrder, denyOpenWorldToTeam, policyTemplates } from "./templates";
import { aTool, anAgent } from "./test-facts";

// Each template appended to the default set compiles and decides as its label says.

function withDefaultSet(template: string) {
  const check = checkPolicySet(`${defaultPolicyText(["critical"])}\n${template}`);
  if (!check.ok) throw new Error(JSON.stringify(check.problems));
  return check.policySet;
}

const wednesdayNoon = new Date("2026-12-02T12:00:00Z");
const wednesdayNight = new Date("2026-12-02T22:00:00Z");
const saturdayNoon = new Date("2026-12-05T12:00:00Z");
const teamId = "4f6c1a3e-2b7d-4c8e-9f10-1a2b3c4d5e6f";

const callOf = (tool: PolicyTool, at: Date, agent: PolicyAgent = anAgent()) => ({ agent, tool, action: "tools/call" as const, call: { at } });

describe("policy templates", () => {
  it("business hours: destructive tools in prod are refused at night and on weekends, naming the policy", () => {
    const set = withDefaultSet(businessHoursForDestructiveTools());
    const destructive = aTool({ destructive: true });
    expect(decide(set, callOf(destructive, wednesdayNoon)).decision).toBe("allow");
    expect(decide(set, callOf(destructive, wednesdayNight))).toMatchObject({ decision: "deny", policyIds: ["business-hours-destructive-prod"] });
    expect(decide(set, callOf(destructive, saturdayNoon)).decision).toBe("deny");
    expect(decide(set, callOf(aTool({ destructive: false }), saturdayNoon)).decision).toBe("allow");
    expect(decide(set, callOf(destructive, saturdayNoon, anAgent({ environment: "dev" }))).decision).toBe("allow");
  });

  it("business hours: the environment and hours are parameters", () => {
    const set = withDefaultSet(businessHoursForDestructiveTools({ environment: "staging", fromHour: 6, toHour: 23 }));
    const destructive = aTool({ destructive: true });
    expect(decide(set, callOf(destructive, wednesdayNight, anAgent({ environment: "staging" }))).decision).toBe("allow");
    expect(decide(set, callOf(destructive, saturdayNoon, anAgent({ environment: "staging" }))).decision).toBe("deny");
    expect(decide(set, callOf(destructive, saturdayNoon)).decision).toBe("allow");
  });

  it("classified data: confidential and above need approval, in the enum's order", () => {
    expect(classificationOrder).toEqual(["public", "internal", "confidential", "restricted"]);
    const set = withDefaultSet(approvalForClassifiedData());
    const decisionFor = (dataClassification: PolicyTool["dataClassification"]) => decide(set, callOf(aTool({ dataClassification, readOnly: true }), wednesdayNoon));
    expect(decisionFor("public").decision).toBe("allow");
    expect(decisionFor("internal").decision).toBe("allow");
    expect(decisionFor("confidential")).toMatchObject({ decision: "approval" });
    expect(decisionFor("confidential").policyIds).toContain("classified-data-approval-confidential");
    expect(decisionFor("restricted").decision).toBe("approval");
    const restrictedOnly = withDefaultSet(approvalForClassifiedData({ atLeast: "restricted" }));
    expect(decide(restrictedOnly, callOf(aTool({ dataClassification: "confidential", readOnly: true }), wednesdayNoon)).decision).toBe("allow");
  });

  it("open-world tools: the team's agents neither list nor call them; other teams do", () => {
    const set = withDefaultSet(denyOpenWorldToTeam({ teamId }));
    const openWorld = aTool({ openWorld: true });
    const member = anAgent({ teamId });
    for (const action of ["tools/list", "tools/call"] as const) {
      expect(decide(set, { ...callOf(openWorld, wednesdayNoon, member), action })).toMatchObject({ decision: "deny", policyIds: [`no-open-world-${teamId}`] });
      expect(decide(set, { ...callOf(openWorld, wednesdayNoon), action }).decision).toBe("allow");
    }
    expect(decide(set, callOf(aTool({ openWorld: false }), wednesdayNoon, member)).decision).toBe("allow");
  });

  it("all three together with the default set compile, each under its own id", () => {
    const set = withDefaultSet(policyTemplates.map((template) => template.text(Object.fromEntries(template.parameters.map((p) => [p.name, p.defaultValue ?? teamId])))).join("\n"));
    expect(set.policyIds).toEqual(expect.arrayContaining(["business-hours-destructive-prod", "classified-data-approval-confidential", `no-open-world-${teamId}`]));
  });

  it("refuses parameters that would not make a valid or meant policy", () => {
    expect(() => denyOpenWorldToTeam({ teamId: 'x") permit (principal, action, resource);//' })).toThrow(/team's id/);
    expect(() => businessHoursForDestructiveTools({ fromHour: 17, toHour: 9 })).toThrow(/before/);
    expect(() => businessHoursForDestructiveTools({ fromHour: 25 })).toThrow(/0–24/);
    expect(() => businessHoursForDestructiveTools({ fromHour: "nine" })).toThrow();
    expect(() => businessHoursForDestructiveTools({ environment: "moon" as "prod" })).toThrow(/Environment/);
    expect(() => approvalForClassifiedData({ atLeast: "secret\u0000" as "public" })).toThrow(/Classification/);
  });
});

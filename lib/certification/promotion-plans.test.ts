import { describe, expect, it } from "vitest";
import { prefillsFrom, previousEnvironment } from "./promotion-plans";

const plans = (name: string) => ({ rolloutPlan: `${name} rollout`, rollbackPlan: `${name} rollback`, killSwitchPlan: `${name} kill switch`, sunsetDays: 7 });

describe("promotion plans prefill", () => {
  it("knows the environment before each", () => {
    expect(previousEnvironment("dev")).toBeNull();
    expect(previousEnvironment("staging")).toBe("dev");
    expect(previousEnvironment("prod")).toBe("staging");
  });

  it("fills each environment from the last promotion to the one before it, and dev from nothing", () => {
    const prefills = prefillsFrom([
      { environment: "staging", version: "1.2.0", plans: plans("staging") },
      { environment: "dev", version: "1.3.0", plans: plans("dev") },
    ]);
    expect(prefills.dev).toBeUndefined();
    expect(prefills.staging).toEqual({ from: { environment: "dev", version: "1.3.0" }, plans: plans("dev") });
    expect(prefills.prod).toEqual({ from: { environment: "staging", version: "1.2.0" }, plans: plans("staging") });
  });

  it("leaves an environment empty when the one before it was never promoted to", () => {
    expect(prefillsFrom([{ environment: "staging", version: "1.0.0", plans: plans("staging") }])).toEqual({
      prod: { from: { environment: "staging", version: "1.0.0" }, plans: plans("staging") },
    });
  });
});

import { describe, expect, it } from "vitest";
import { defaultPolicyText } from "./default-policies";
import { type DecisionInput, decide } from "./engine";
import { agentEntities, toolEntities } from "./entities";
import { type CompiledPolicySet, checkPolicySet } from "./policy-set";
import { aTool, anAgent } from "./test-facts";

function compile(extra: string): CompiledPolicySet {
  const check = checkPolicySet(`${defaultPolicyText(["critical"])}\n${extra}`);
  if (!check.ok) throw new Error(JSON.stringify(check.problems, null, 2));
  return check.policySet;
}

const businessHoursForDestructiveInProd = compile(`@id("destructive-business-hours")
forbid (principal, action == Toolgate::Action::"tools/call", resource)
when { resource.destructive && context.environment == "prod" }
unless { context.dayOfWeek >= 1 && context.dayOfWeek <= 5 && context.hourOfDay >= 9 && context.hourOfDay < 17 };`);

const wednesdayNoon = new Date("2026-12-02T12:00:00Z");
const wednesdayNight = new Date("2026-12-02T22:30:00Z");
const saturdayNoon = new Date("2026-12-05T12:00:00Z");

const call = (overrides: Partial<DecisionInput> = {}): DecisionInput => ({ agent: anAgent(), tool: aTool(), action: "tools/call", call: { at: wednesdayNoon }, ...overrides });

describe("decisions", () => {
  it("a time-window forbid refuses a destructive tool in prod outside business hours (UTC), naming the policy", () => {
    const destructive = aTool({ destructive: true });
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive })).decision).toBe("allow");
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive, call: { at: wednesdayNight } }))).toEqual({ decision: "deny", policyIds: ["destructive-business-hours"], errors: [] });
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive, call: { at: saturdayNoon } })).decision).toBe("deny");
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive, agent: anAgent({ environment: "dev" }), call: { at: wednesdayNight } })).decision).toBe("allow");
    expect(decide(businessHoursForDestructiveInProd, call({ call: { at: wednesdayNight } })).decision).toBe("allow");
  });

  it("a classification forbid refuses restricted tools to other teams, and hides them from tools/list", () => {
    const set = compile(`@id("restricted-to-payments")
forbid (principal, action, resource)
when { resource.dataClassification == "restricted" }
unless { principal in Toolgate::Team::"team-payments" };`);
    const restricted = aTool({ dataClassification: "restricted" });
    expect(decide(set, call({ tool: restricted })).decision).toBe("allow");
    const otherTeam = anAgent({ teamId: "team-growth" });
    expect(decide(set, call({ tool: restricted, agent: otherTeam })).policyIds).toEqual(["restricted-to-payments"]);
    expect(decide(set, call({ tool: restricted, agent: otherTeam, action: "tools/list" })).decision).toBe("deny");
  });

  it("a forbid wins over an approval permit: approval can add a step, never reopen a closed door", () => {
    const set = compile(`@id("no-critical-for-bots")\nforbid (principal, action, resource) when { resource has riskTier && resource.riskTier == "critical" };`);
    expect(decide(set, call({ tool: aTool({ riskTier: "critical" }) })).decision).toBe("deny");
  });

  it("with no permit at all the call is denied by default, with no policy to name", () => {
    const check = checkPolicySet(`@id("only-reads")\npermit (principal, action, resource) when { resource.readOnly };`);
    if (!check.ok) throw new Error("invalid");
    expect(decide(check.policySet, call())).toEqual({ decision: "deny", policyIds: [], errors: [] });
  });

  it("a policy reads argument-derived tags, the client's address and the person the agent acts for", () => {
    const set = compile(`@id("no-etc")
forbid (principal, action, resource) when { context.arguments.hasTag("path") && context.arguments.getTag("path") like "/etc/*" };
@id("office-only-for-people")
@approval("required")
permit (principal, action, resource)
when { principal has user && context has clientAddress && !context.clientAddress.isInRange(ip("10.0.0.0/8")) };`);
    expect(decide(set, call({ call: { at: wednesdayNoon, arguments: { path: "/etc/passwd" } } })).policyIds).toEqual(["no-etc"]);
    expect(decide(set, call({ call: { at: wednesdayNoon, arguments: { path: "/home/a", nested: { path: "/etc/x" } } } })).decision).toBe("allow");
    const person = anAgent({ onBehalfOf: { issuer: "https://idp.example", subject: "u1", name: "Ada" } });
    expect(decide(set, call({ agent: person, call: { at: wednesdayNoon, clientAddress: "203.0.113.9" } })).decision).toBe("approval");
    expect(decide(set, call({ agent: person, call: { at: wednesdayNoon, clientAddress: "10.1.2.3" } })).decision).toBe("allow");
    expect(decide(set, call({ call: { at: wednesdayNoon, clientAddress: "203.0.113.9" } })).decision).toBe("allow");
  });

  it("a scope the token lacks can be required by a policy", () => {
    const set = compile(`@id("high-risk-scope")
forbid (principal, action == Toolgate::Action::"tools/call", resource)
when { resource has riskTier && ["high", "critical"].contains(resource.riskTier) && !context.scopes.contains("tools:call:high-risk") };`);
    expect(decide(set, call({ tool: aTool({ riskTier: "high" }) })).decision).toBe("deny");
    expect(decide(set, call({ tool: aTool({ riskTier: "high" }), agent: anAgent({ scopes: ["tools:call", "tools:call:high-risk"] }) })).decision).toBe("allow");
  });

  it("entities built once per agent and tool give the same decisions as entities built per call", () => {
    const tool = aTool({ destructive: true });
    const agent = anAgent();
    const cached = { agentEntities: agentEntities(agent), toolEntities: toolEntities(tool) };
    for (const at of [wednesdayNoon, wednesdayNight]) {
      expect(decide(businessHoursForDestructiveInProd, call({ tool, agent, call: { at }, ...cached }))).toEqual(decide(businessHoursForDestructiveInProd, call({ tool, agent, call: { at } })));
    }
  });

  it("a remembered decision is keyed on what the set reads: arguments count only when a policy names them", () => {
    const readsArguments = compile(`@id("no-etc")\nforbid (principal, action, resource) when { context.arguments.hasTag("path") && context.arguments.getTag("path") like "/etc/*" };`);
    const withPath = (path: string) => call({ call: { at: wednesdayNoon, arguments: { path } } });
    expect(decide(readsArguments, withPath("/home/a")).decision).toBe("allow");
    expect(decide(readsArguments, withPath("/etc/shadow")).decision).toBe("deny");
    const ignoresArguments = compile("");
    expect(decide(ignoresArguments, withPath("/home/a"))).toBe(decide(ignoresArguments, withPath("/etc/shadow")));
  });

  it("a remembered decision is keyed on the hour and the day only when a policy names them", () => {
    const ignoresTime = compile("");
    expect(decide(ignoresTime, call({ call: { at: wednesdayNoon } }))).toBe(decide(ignoresTime, call({ call: { at: wednesdayNight } })));
    const readsDay = compile(`@id("not-on-sundays")\nforbid (principal, action, resource) when { context.dayOfWeek == 0 };`);
    const sunday = new Date(wednesdayNoon.getTime() + 4 * 24 * 3600 * 1000);
    expect(decide(readsDay, call({ call: { at: wednesdayNoon } })).decision).toBe("allow");
    expect(decide(readsDay, call({ call: { at: sunday } })).decision).toBe("deny");
  });

  it("a remembered decision is keyed on the hour and on the facts' content, not on object identity", () => {
    const destructive = () => aTool({ destructive: true });
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive() })).decision).toBe("allow");
    expect(decide(businessHoursForDestructiveInProd, call({ tool: destructive(), call: { at: wednesdayNight } })).decision).toBe("deny");
    expect(decide(businessHoursForDestructiveInProd, call({ tool: aTool({ destructive: false }), call: { at: wednesdayNight } })).decision).toBe("allow");
    expect(Object.isFrozen(decide(businessHoursForDestructiveInProd, call()))).toBe(true);
  });
});

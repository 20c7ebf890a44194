import { describe, expect, it, vi } from "vitest";
import { type CallBudget, consumeCallBudget, createCallBudget, readCallLimits } from "./limits";

async function spend(check: (agent: string, tool: string) => Promise<CallBudget>, agent: string, tool: string, times: number) {
  const results: CallBudget[] = [];
  for (let i = 0; i < times; i++) results.push(await check(agent, tool));
  return results;
}

describe("readCallLimits", () => {
  it("has defaults that need no configuration", () => {
    expect(readCallLimits({})).toEqual({ agentPerSecond: 200, toolPerSecond: 100, agentPerDay: 100_000 });
    expect(readCallLimits({ TOOLGATE_RATE_AGENT_PER_SECOND: "" }).agentPerSecond).toBe(200);
  });

  it("reads the environment", () => {
    expect(
      readCallLimits({ TOOLGATE_RATE_AGENT_PER_SECOND: "5", TOOLGATE_RATE_TOOL_PER_SECOND: "3", TOOLGATE_QUOTA_AGENT_PER_DAY: "1000" }),
    ).toEqual({ agentPerSecond: 5, toolPerSecond: 3, agentPerDay: 1000 });
  });

  it.each(["abc", "0", "-1", "1.5"])("refuses %s naming the variable", (value) => {
    expect(() => readCallLimits({ TOOLGATE_RATE_TOOL_PER_SECOND: value })).toThrow(
      "Invalid gateway limits: TOOLGATE_RATE_TOOL_PER_SECOND must be a positive whole number",
    );
  });
});

describe("call budget", () => {
  it("refuses an agent over its rate, saying the limit and when to retry", async () => {
    const check = createCallBudget({ agentPerSecond: 3, toolPerSecond: 100, agentPerDay: 1000 });
    const results = await spend(check, "a1", "s__t", 4);
    expect(results.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }]);
    const refused = results[3]!;
    expect(refused).toMatchObject({ allowed: false, reason: expect.stringMatching(/^rate limit: at most 3 calls per second for this agent; retry in \d+ms$/) });
    if (refused.allowed) throw new Error("expected a refusal");
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    // Other agents have their own budget; spread over other tools the same agent is still limited.
    expect(await check("a2", "s__t")).toEqual({ allowed: true });
    expect(await check("a1", "s__other")).toMatchObject({ allowed: false });
  });

  it("refuses one tool over its rate while the agent's other tools go on", async () => {
    const check = createCallBudget({ agentPerSecond: 100, toolPerSecond: 2, agentPerDay: 1000 });
    const results = await spend(check, "a1", "files__read", 3);
    expect(results[2]).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^rate limit: at most 2 calls per second to tool 'files__read' for this agent; retry in \d+ms$/),
    });
    expect(await check("a1", "files__write")).toEqual({ allowed: true });
    expect(await check("a2", "files__read")).toEqual({ allowed: true });
  });

  it("allows calls again once the second is over", async () => {
    vi.useFakeTimers();
    try {
      const check = createCallBudget({ agentPerSecond: 1, toolPerSecond: 1, agentPerDay: 1000 });
      expect(await check("a1", "t")).toEqual({ allowed: true });
      expect(await check("a1", "t")).toMatchObject({ allowed: false });
      vi.advanceTimersByTime(1001);
      expect(await check("a1", "t")).toEqual({ allowed: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses an agent whose daily quota is used up, and counts rate-refused calls against the rate only", async () => {
    vi.useFakeTimers();
    try {
      const check = createCallBudget({ agentPerSecond: 2, toolPerSecond: 100, agentPerDay: 3 });
      expect(await spend(check, "a1", "t", 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: false, reason: expect.any(String), retryAfterMs: expect.any(Number) }]);
      vi.advanceTimersByTime(1001);
      // The refused call did not spend quota: one call is left today.
      expect(await check("a1", "t")).toEqual({ allowed: true });
      const refused = await check("a1", "t");
      expect(refused).toMatchObject({ allowed: false, reason: expect.stringMatching(/^quota: at most 3 calls per day for this agent are used up; retry in 24h$/) });
      if (refused.allowed) throw new Error("expected a refusal");
      expect(refused.retryAfterMs).toBeGreaterThan(23 * 3_600_000);
      expect(await check("a2", "t")).toEqual({ allowed: true });
    } finally {
      vi.useRealTimers();
    }
  });

  it("uses the environment's limits by default", async () => {
    expect(await consumeCallBudget("env-agent", "t")).toEqual({ allowed: true });
  });

  it("keeps up with many thousands of calls a second", async () => {
    const check = createCallBudget({ agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 1_000_000 });
    const started = performance.now();
    for (let i = 0; i < 20_000; i++) await check(`agent-${i % 16}`, `tool-${i % 8}`);
    // Generous bound (well under 1 ms per call) so a busy machine does not fail it.
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

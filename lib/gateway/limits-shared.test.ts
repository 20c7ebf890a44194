import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { metricsText } from "@/lib/observability/metrics";
import { startTcpRelay } from "@/test/tcp-relay";
import { storeRetryMs } from "./limit-leases";
import { type CallBudget, type CallBudgetCheck, type CallLimits, createCallBudget, createLimitStorePool, readExpectedInstances } from "./limits";

// The limits shared through PostgreSQL (decision 039): several keepers (as several instances would)
// on this file's real database, a keeper started afresh (a restart), a store that stops answering.

const databaseUrl = () => process.env.DATABASE_URL!;
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
});

/** A store pool whose queries are counted (the pool itself is the app's, unchanged). */
function storePool(url = databaseUrl()) {
  const pool = createLimitStorePool(url);
  pools.push(pool);
  let queries = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    queries++;
    return query(...args);
  };
  return { pool, queries: () => queries };
}

function keeper(limits: CallLimits, expectedInstances = 1, url?: string): { check: CallBudgetCheck; queries: () => number } {
  const { pool, queries } = storePool(url);
  return { check: createCallBudget(limits, { pool, expectedInstances }), queries };
}

const far = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 1_000_000_000 };

/** `workers` concurrent callers, each calling until its first refusal; how many calls were allowed. */
async function callUntilRefused(check: CallBudgetCheck, agent: string, tool: string, workers: number): Promise<{ allowed: number; refusals: CallBudget[] }> {
  let allowed = 0;
  const refusals: CallBudget[] = [];
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (;;) {
        const budget = await check(agent, tool);
        if (!budget.allowed) {
          refusals.push(budget);
          return;
        }
        allowed++;
      }
    }),
  );
  return { allowed, refusals };
}

async function metricValue(name: string): Promise<number> {
  const { body } = await metricsText();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(body)?.[1] ?? Number.NaN);
}

describe("limits shared through PostgreSQL", () => {
  it("says the limit and when to retry, as the in-memory limits do", async () => {
    const { check } = keeper({ agentPerSecond: 4, toolPerSecond: 2, agentPerDay: 1000 });
    const agent = randomUUID();
    expect(await check(agent, "s__t")).toEqual({ allowed: true });
    expect(await check(agent, "s__t")).toEqual({ allowed: true });
    expect(await check(agent, "s__t")).toMatchObject({
      allowed: false,
      reason: expect.stringMatching(/^rate limit: at most 2 calls per second to tool 's__t' for this agent; retry in \d+ms$/),
    });
    expect(await check(agent, "s__other")).toEqual({ allowed: true });
    const refused = await check(agent, "s__third");
    expect(refused).toMatchObject({ allowed: false, reason: expect.stringMatching(/^rate limit: at most 4 calls per second for this agent; retry in \d+ms$/) });
    if (refused.allowed) throw new Error("expected a refusal");
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await check(randomUUID(), "s__t")).toEqual({ allowed: true });
  });

  it("holds a daily quota across two instances under concurrent load: never more, and all of it", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 500 };
    const a = keeper(limits, 2);
    const b = keeper(limits, 2);
    const agent = randomUUID();
    const [onA, onB] = await Promise.all([callUntilRefused(a.check, agent, "s__t", 40), callUntilRefused(b.check, agent, "s__t", 40)]);
    const total = onA.allowed + onB.allowed;
    expect(total).toBeLessThanOrEqual(500);
    expect(total).toBeGreaterThanOrEqual(450);
    expect(onA.allowed).toBeGreaterThan(0);
    expect(onB.allowed).toBeGreaterThan(0);
    expect(onA.refusals[0]).toMatchObject({ reason: expect.stringMatching(/^quota: at most 500 calls per day for this agent are used up; retry in 24h$/) });
  });

  it.each([2, 3])("holds a per-second rate across %i instances within 10 %%, never more", async (instances) => {
    const limits = { agentPerSecond: 200, toolPerSecond: 1_000_000, agentPerDay: 1_000_000 };
    const keepers = Array.from({ length: instances }, () => keeper(limits, instances));
    const agent = randomUUID();
    // The first call opens the store's one-second window; the burst must fit inside it to be counted against one window.
    const started = performance.now();
    expect(await keepers[0]!.check(agent, "s__t")).toEqual({ allowed: true });
    const bursts = await Promise.all(keepers.map(({ check }) => callUntilRefused(check, agent, "s__t", 30)));
    const elapsed = performance.now() - started;
    expect(elapsed, "the burst took longer than the window; the machine is too busy for this check").toBeLessThan(900);
    const total = 1 + bursts.reduce((sum, burst) => sum + burst.allowed, 0);
    expect(total).toBeLessThanOrEqual(200);
    expect(total).toBeGreaterThanOrEqual(180);
    expect(bursts.at(-1)!.refusals[0]).toMatchObject({ reason: expect.stringMatching(/^rate limit: at most 200 calls per second for this agent; retry in \d+ms$/) });
  });

  it("keeps the day's quota used when an instance restarts (a new keeper)", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 10 };
    const agent = randomUUID();
    const before = storePool();
    const first = createCallBudget(limits, { pool: before.pool, expectedInstances: 1 });
    for (let i = 0; i < 6; i++) expect(await first(agent, "s__t")).toEqual({ allowed: true });
    await before.pool.end();
    const { check } = keeper(limits);
    const after = await callUntilRefused(check, agent, "s__t", 1);
    expect(after.allowed).toBe(4);
    expect(after.refusals[0]).toMatchObject({ reason: expect.stringMatching(/quota: at most 10 calls per day/) });
  });

  it("loses at most one quota lease (1 % of the day) when an instance stops", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 1_000 };
    const agent = randomUUID();
    const stopped = keeper(limits);
    expect(await stopped.check(agent, "s__t")).toEqual({ allowed: true });
    const { check } = keeper(limits);
    const after = await callUntilRefused(check, agent, "s__t", 4);
    expect(after.allowed).toBeGreaterThanOrEqual(1_000 - 10);
    expect(after.allowed).toBeLessThan(1_000);
  });

  it("shares one lease request among concurrent calls: 100 at once cost a handful of queries", async () => {
    const { check, queries } = keeper(far);
    const agent = randomUUID();
    const results = await Promise.all(Array.from({ length: 100 }, () => check(agent, "s__t")));
    expect(results.every((result) => result.allowed)).toBe(true);
    // One lease per limit (agent rate, tool rate, quota), and a few more on a slow machine at most.
    expect(queries()).toBeGreaterThanOrEqual(3);
    expect(queries()).toBeLessThanOrEqual(6);
  });

  it("spends leased points in memory: thousands of calls, a few queries", async () => {
    const { check, queries } = keeper(far);
    const agent = randomUUID();
    for (let i = 0; i < 5_000; i++) expect((await check(agent, "s__t")).allowed).toBe(true);
    // A lease per limit per second of calls at most, and the quota's 1 % leases (10,000,000 each here).
    expect(queries()).toBeGreaterThanOrEqual(3);
    expect(queries()).toBeLessThanOrEqual(30);
  });

  it("decides a key with control characters in the store, not as an outage", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const { check } = keeper({ agentPerSecond: 2, toolPerSecond: 100, agentPerDay: 100 });
      const agent = randomUUID();
      expect(await check(agent, "s__t\u0000\u0007\n")).toEqual({ allowed: true });
      expect(await check(agent, "s__t\u0000\u0007\n")).toEqual({ allowed: true });
      expect(await check(agent, "s__t\u0000\u0007\n")).toMatchObject({ allowed: false, reason: expect.stringMatching(/^rate limit: at most 2 calls per second for this agent/) });
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe("when the store does not answer", () => {
  it("lets the in-memory insurance limiter decide with this instance's share, logs once and counts the outage", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const outagesBefore = await metricValue("toolgate_gateway_limit_store_outages_total");
      const insuredBefore = await metricValue("toolgate_gateway_limit_insured_calls_total");
      const closed = `postgresql://toolgate:x@127.0.0.1:${await freePort()}/none`;
      // A limit of 4 shared by 2 expected instances: each allows 2 while alone.
      const { check } = keeper({ agentPerSecond: 4, toolPerSecond: 100, agentPerDay: 1000 }, 2, closed);
      const agent = randomUUID();
      const results = await Promise.all(Array.from({ length: 5 }, () => check(agent, "s__t")));
      expect(results.filter((result) => result.allowed)).toHaveLength(2);
      expect(results.find((result) => !result.allowed)).toMatchObject({
        reason: expect.stringMatching(/^rate limit: at most 4 calls per second for this agent; retry in \d+ms$/),
      });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(/^\[toolgate\] limits: the shared rate-limit store \(PostgreSQL\) did not answer \(.+\); until it does/);
      expect(await metricValue("toolgate_gateway_limit_store_outages_total")).toBe(outagesBefore + 1);
      expect(await metricValue("toolgate_gateway_limit_insured_calls_total")).toBeGreaterThan(insuredBefore);
    } finally {
      errors.mockRestore();
    }
  });

  it("shares the limits again once the store answers, logging the end of the outage once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const url = new URL(databaseUrl());
      const relay = await startTcpRelay(url.hostname, Number(url.port));
      url.hostname = "127.0.0.1";
      url.port = String(relay.port);
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 40 };
      const { check } = keeper(limits, 1, url.toString());
      const other = keeper(limits);
      const agent = randomUUID();
      // Quota leases are 1 point here (1 % of 40 rounds down to 0, at least 1): each call asks the store.
      for (let i = 0; i < 10; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      await relay.cut();
      for (let i = 0; i < 5; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      expect(errors).toHaveBeenCalledTimes(1);
      await relay.restore();
      await new Promise((resolve) => setTimeout(resolve, storeRetryMs + 100));
      // The first call after the retry interval asks the store in the background; the next ones are counted there again.
      await check(agent, "s__t");
      await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
      expect(String(errors.mock.calls[1]![0])).toMatch(/answers again/);
      // The store saw 10 calls before the outage, and those after it: the other instance gets the rest of 40.
      let afterOutage = 0;
      while ((await check(agent, "s__t")).allowed) afterOutage++;
      const rest = await callUntilRefused(other.check, agent, "s__t", 1);
      expect(10 + afterOutage + rest.allowed).toBeLessThanOrEqual(40);
      expect(10 + afterOutage + rest.allowed).toBeGreaterThanOrEqual(38);
    } finally {
      errors.mockRestore();
    }
  });
});

describe("settings", () => {
  it("reads how many instances share the limits, 1 by default", () => {
    expect(readExpectedInstances({})).toBe(1);
    expect(readExpectedInstances({ TOOLGATE_EXPECTED_INSTANCES: "3" })).toBe(3);
  });

  it.each(["abc", "0", "-1", "1.5", "3 instances"])("refuses TOOLGATE_EXPECTED_INSTANCES=%s naming the variable", (value) => {
    expect(() => readExpectedInstances({ TOOLGATE_EXPECTED_INSTANCES: value })).toThrow(
      "Invalid gateway limits: TOOLGATE_EXPECTED_INSTANCES must be a positive whole number",
    );
  });
});

describe("cost per call", () => {
  it("spends the shared budget about as fast as the in-memory one (limits far away, one agent)", async () => {
    const measure = async (check: CallBudgetCheck, agent: string) => {
      for (let i = 0; i < 2_000; i++) await check(agent, "s__t"); // warm-up
      const calls = 20_000;
      const started = performance.now();
      for (let i = 0; i < calls; i++) await check(agent, "s__t");
      return Math.round(calls / ((performance.now() - started) / 1000));
    };
    const memory = await measure(createCallBudget(far), randomUUID());
    const { check, queries } = keeper(far);
    const shared = await measure(check, randomUUID());
    console.log(`[limits bench] calls/s, one agent: in memory ${memory}, shared through PostgreSQL ${shared} (${queries()} store queries)`);
    // Generous bound (a busy machine): far under a millisecond per call.
    expect(shared).toBeGreaterThan(5_000);
  });
});

import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, describe, expect, it, vi } from "vitest";
import { type LimitKeeper, type LimitStoreUnderTest, far, sharedLimitCases, storeOutageCases } from "@/test/shared-limits";
import { type CallBudgetCheck, type CallLimits, createCallBudget, createLimitStorePool, readExpectedInstances } from "./limits";

// The limits shared through PostgreSQL (decision 039): the cases every shared store passes
// (test/shared-limits.ts) on this file's real database, and PostgreSQL's own.

const databaseUrl = () => process.env.DATABASE_URL!;
const pools: pg.Pool[] = [];
afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end().catch(() => undefined)));
});

/** A keeper on the limits' own pool, its queries counted (the pool itself is the app's, unchanged). */
function keeper(limits: CallLimits, expectedInstances = 1, url = databaseUrl()): LimitKeeper {
  const pool = createLimitStorePool(url);
  pools.push(pool);
  let queries = 0;
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args) => {
    queries++;
    return query(...args);
  };
  return { check: createCallBudget(limits, { pool, expectedInstances }), roundTrips: () => queries, close: () => pool.end() };
}

const postgres: LimitStoreUnderTest<LimitKeeper> = {
  name: "PostgreSQL",
  keeper,
  address: () => {
    const url = new URL(databaseUrl());
    return { host: url.hostname, port: Number(url.port) };
  },
  urlThrough: (relayPort) => {
    const url = new URL(databaseUrl());
    url.hostname = "127.0.0.1";
    url.port = String(relayPort);
    return url.toString();
  },
  unreachableUrl: (port) => `postgresql://toolgate:x@127.0.0.1:${port}/none`,
  unreachableLog: /^\[toolgate\] limits: the shared rate-limit store \(PostgreSQL\) did not answer \(.+\); until it does/,
  reconnectsByItself: false,
};

describe("limits shared through PostgreSQL", () => {
  sharedLimitCases(postgres);

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
  storeOutageCases(postgres);
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
    const { check, roundTrips } = keeper(far);
    const shared = await measure(check, randomUUID());
    console.log(`[limits bench] calls/s, one agent: in memory ${memory}, shared through PostgreSQL ${shared} (${roundTrips()} store queries)`);
    // Generous bound (a busy machine): far under a millisecond per call.
    expect(shared).toBeGreaterThan(5_000);
  });
});

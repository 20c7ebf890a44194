import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { metricsText } from "@/lib/observability/metrics";
import { startRedisServer, type TestRedisServer } from "@/test/redis-server";
import { startTcpRelay } from "@/test/tcp-relay";
import { storeRetryMs } from "./limit-leases";
import { createRedisLimitStore, type RedisLimitStore } from "./limit-store-redis";
import { type CallBudget, type CallBudgetCheck, type CallLimits, createCallBudget, rateLimitTable, sharedLimitStoreFromEnv } from "./limits";

// The limits shared through Redis when REDIS_URL is set (decision 039, 2026-12-01): the cases of
// limits-shared.test.ts on a real redis-server (test/redis-server.ts) — several keepers (as several
// instances would) on one Redis, a keeper started afresh, a Redis restarted, a Redis that stops answering.

let redis: TestRedisServer;
let notStarted: unknown;
const stores: RedisLimitStore[] = [];
beforeAll(async () => {
  try {
    redis = await startRedisServer();
  } catch (error) {
    notStarted = error;
  }
});
// Without redis-server every test fails (not skips), saying what to install.
beforeEach(() => {
  if (notStarted) throw notStarted;
});
afterAll(async () => {
  for (const store of stores) store.client.disconnect();
  await redis?.close();
});

function redisStore(url = redis.url): RedisLimitStore {
  const store = createRedisLimitStore(url);
  stores.push(store);
  return store;
}

/** A keeper on Redis, with its lease requests counted (the script each sends; not the connection's own commands). */
function keeper(limits: CallLimits, expectedInstances = 1, url?: string): { check: CallBudgetCheck; commands: () => number; store: RedisLimitStore } {
  const store = redisStore(url);
  let commands = 0;
  const send = store.client.sendCommand.bind(store.client);
  store.client.sendCommand = (command, ...rest) => {
    if (command.name === "evalsha") commands++;
    return send(command, ...rest);
  };
  return { check: createCallBudget(limits, { redis: store, expectedInstances }), commands: () => commands, store };
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

describe("limits shared through Redis", () => {
  it("says the limit and when to retry, as the other stores do, in keys of Toolgate's own", async () => {
    const { check, store } = keeper({ agentPerSecond: 4, toolPerSecond: 2, agentPerDay: 1000 });
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
    // Each key lives as long as its window.
    expect((await store.client.keys(`toolgate:*${agent}*`)).sort()).toEqual(
      [`toolgate:agent:${agent}`, `toolgate:quota:${agent}`, `toolgate:tool:${agent}:s__other`, `toolgate:tool:${agent}:s__t`].sort(),
    );
    expect(await store.client.pttl(`toolgate:agent:${agent}`)).toBeLessThanOrEqual(1000);
    expect(await store.client.pttl(`toolgate:quota:${agent}`)).toBeGreaterThan(86_000_000);
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

  it.each([2, 3])("holds a per-second rate across %i instances within a tenth, never more", async (instances) => {
    const limits = { agentPerSecond: 200, toolPerSecond: 1_000_000, agentPerDay: 1_000_000 };
    const keepers = Array.from({ length: instances }, () => keeper(limits, instances));
    const agent = randomUUID();
    // Connect every keeper first (another agent), so the burst below is not the first connection's.
    await Promise.all(keepers.map(({ check }) => check(randomUUID(), "s__warm")));
    // The first call opens Redis's one-second window; the burst must fit inside it to be counted against one window.
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

  it("keeps the day's quota used when an instance restarts (a new keeper, a new client)", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 10 };
    const agent = randomUUID();
    const first = keeper(limits);
    for (let i = 0; i < 6; i++) expect(await first.check(agent, "s__t")).toEqual({ allowed: true });
    await first.store.client.quit();
    const { check } = keeper(limits);
    const after = await callUntilRefused(check, agent, "s__t", 1);
    expect(after.allowed).toBe(4);
    expect(after.refusals[0]).toMatchObject({ reason: expect.stringMatching(/quota: at most 10 calls per day/) });
  });

  it("keeps the day's quota used across a restart of a Redis that persists (append-only file)", async () => {
    const persistent = await startRedisServer({ persistent: true });
    try {
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 10 };
      const agent = randomUUID();
      const first = keeper(limits, 1, persistent.url);
      for (let i = 0; i < 7; i++) expect(await first.check(agent, "s__t")).toEqual({ allowed: true });
      await first.store.client.quit();
      await persistent.stop();
      await persistent.start();
      const { check } = keeper(limits, 1, persistent.url);
      const after = await callUntilRefused(check, agent, "s__t", 1);
      expect(after.allowed).toBe(3);
    } finally {
      await persistent.close();
    }
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

  it("shares one lease request among concurrent calls, and spends leases in memory: thousands of calls, a few commands", async () => {
    const { check, commands } = keeper(far);
    const agent = randomUUID();
    const results = await Promise.all(Array.from({ length: 100 }, () => check(agent, "s__t")));
    expect(results.every((result) => result.allowed)).toBe(true);
    // One lease per limit (agent rate, tool rate, quota), and a few more on a slow machine at most.
    expect(commands()).toBeGreaterThanOrEqual(3);
    expect(commands()).toBeLessThanOrEqual(6);
    for (let i = 0; i < 5_000; i++) expect((await check(agent, "s__t")).allowed).toBe(true);
    expect(commands()).toBeLessThanOrEqual(30);
  });

  it("waits for the first connection after a start rather than reading it as an outage", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const { check } = keeper({ agentPerSecond: 2, toolPerSecond: 100, agentPerDay: 100 });
      const agent = randomUUID();
      const results = await Promise.all(Array.from({ length: 3 }, () => check(agent, "s__t\u0000\u0007\n")));
      expect(results.filter((result) => result.allowed)).toHaveLength(2);
      expect(errors).not.toHaveBeenCalled();
    } finally {
      errors.mockRestore();
    }
  });
});

describe("when Redis does not answer", () => {
  it("lets the in-memory insurance limiter decide with this instance's share, logs once and counts the outage", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const outagesBefore = await metricValue("toolgate_gateway_limit_store_outages_total");
      const insuredBefore = await metricValue("toolgate_gateway_limit_insured_calls_total");
      // A limit of 4 shared by 2 expected instances: each allows 2 while alone.
      const { check } = keeper({ agentPerSecond: 4, toolPerSecond: 100, agentPerDay: 1000 }, 2, `redis://127.0.0.1:${await freePort()}`);
      const agent = randomUUID();
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 5 }, () => check(agent, "s__t")));
      expect(performance.now() - started, "no call waits longer than the first connection attempt").toBeLessThan(1_500);
      expect(results.filter((result) => result.allowed)).toHaveLength(2);
      expect(results.find((result) => !result.allowed)).toMatchObject({
        reason: expect.stringMatching(/^rate limit: at most 4 calls per second for this agent; retry in \d+ms$/),
      });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(
        /^\[toolgate\] limits: the shared rate-limit store \(Redis\) did not answer \(not connected to Redis \(connect ECONNREFUSED .+\)\); until it does/,
      );
      expect(await metricValue("toolgate_gateway_limit_store_outages_total")).toBe(outagesBefore + 1);
      expect(await metricValue("toolgate_gateway_limit_insured_calls_total")).toBeGreaterThan(insuredBefore);
    } finally {
      errors.mockRestore();
    }
  });

  it("refuses at once while the connection is cut, and shares the limits again once Redis answers", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const relay = await startTcpRelay("127.0.0.1", redis.port);
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 40 };
      const { check } = keeper(limits, 1, `redis://127.0.0.1:${relay.port}`);
      const other = keeper(limits);
      const agent = randomUUID();
      // Quota leases are 1 point here (1 % of 40 rounds down to 0, at least 1): each call asks Redis.
      for (let i = 0; i < 10; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      await relay.cut();
      const cutAt = performance.now();
      for (let i = 0; i < 5; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      // No command waited for the timeout: a disconnected client fails at once (no offline queue).
      expect(performance.now() - cutAt).toBeLessThan(500);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(/store \(Redis\) did not answer/);
      await relay.restore();
      // ioredis reconnects by itself (at most a second apart); then the next probe finds Redis again.
      await vi.waitFor(
        async () => {
          await check(agent, "s__t");
          expect(errors).toHaveBeenCalledTimes(2);
        },
        { timeout: 5_000, interval: storeRetryMs / 4 },
      );
      expect(String(errors.mock.calls[1]![0])).toMatch(/answers again/);
      // Redis saw 10 calls before the outage, and those after it: the other instance gets the rest of 40.
      let afterOutage = 0;
      while ((await check(agent, "s__t")).allowed) afterOutage++;
      const rest = await callUntilRefused(other.check, agent, "s__t", 1);
      expect(10 + afterOutage + rest.allowed).toBeLessThanOrEqual(40);
      expect(10 + afterOutage + rest.allowed).toBeGreaterThanOrEqual(38);
      await relay.cut();
    } finally {
      errors.mockRestore();
    }
  });

  it("decides from the insurance when redis-server stops, and from Redis again when it is back", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const own = await startRedisServer();
    try {
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 20 };
      const { check } = keeper(limits, 1, own.url);
      const agent = randomUUID();
      for (let i = 0; i < 5; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      await own.stop();
      for (let i = 0; i < 3; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      expect(errors).toHaveBeenCalledTimes(1);
      await own.start();
      await vi.waitFor(
        async () => {
          await check(agent, "s__t");
          expect(errors).toHaveBeenCalledTimes(2);
        },
        { timeout: 5_000, interval: storeRetryMs / 4 },
      );
      // The restarted Redis kept nothing (no persistence): the quota counts again from what it saw since.
      let counted = 0;
      while ((await check(agent, "s__t")).allowed) counted++;
      expect(counted).toBeGreaterThan(0);
      expect(counted).toBeLessThanOrEqual(20);
    } finally {
      errors.mockRestore();
      await own.close();
    }
  });
});

describe("which store the environment names", () => {
  it("shares through Redis when REDIS_URL is set, leaving the rate_limits table unused", async () => {
    const shared = sharedLimitStoreFromEnv({ REDIS_URL: redis.url, DATABASE_URL: process.env.DATABASE_URL, TOOLGATE_EXPECTED_INSTANCES: "3" });
    if (!shared || !("redis" in shared)) throw new Error("expected the Redis store");
    stores.push(shared.redis);
    expect(shared.expectedInstances).toBe(3);
    const check = createCallBudget({ agentPerSecond: 10, toolPerSecond: 10, agentPerDay: 10 }, shared);
    const agent = randomUUID();
    expect(await check(agent, "s__t")).toEqual({ allowed: true });
    expect(await shared.redis.client.exists(`toolgate:quota:${agent}`)).toBe(1);
    const db = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    try {
      expect((await db.query(`SELECT count(*)::int AS n FROM ${rateLimitTable}`)).rows[0]).toEqual({ n: 0 });
    } finally {
      await db.end();
    }
  });

  it("shares through PostgreSQL with DATABASE_URL alone, and counts in memory with neither", async () => {
    const shared = sharedLimitStoreFromEnv({ DATABASE_URL: process.env.DATABASE_URL });
    expect(shared && "pool" in shared).toBe(true);
    if (shared && "pool" in shared) await shared.pool.end();
    expect(sharedLimitStoreFromEnv({})).toBeUndefined();
  });
});

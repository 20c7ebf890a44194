import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { startRedisServer, type TestRedisServer } from "@/test/redis-server";
import { callUntilRefused, type LimitKeeper, type LimitStoreUnderTest, sharedLimitCases, storeOutageCases, untilReconnected } from "@/test/shared-limits";
import { createRedisLimitStore, type RedisLimitStore } from "./limit-store-redis";
import { type CallLimits, createCallBudget, rateLimitTable, sharedLimitStoreFromEnv } from "./limits";

// The limits shared through Redis when REDIS_URL is set (decision 039, 2026-12-01): the cases every shared
// store passes (test/shared-limits.ts) on a real redis-server (test/redis-server.ts), and Redis's own —
// its keys, a Redis restarted with and without persistence, the first connection, the environment's choice.

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

type RedisKeeper = LimitKeeper & { store: RedisLimitStore };

/** A keeper on Redis, with its lease requests counted (the script each sends; not the connection's own commands). */
function keeper(limits: CallLimits, expectedInstances = 1, url = redis.url): RedisKeeper {
  const store = createRedisLimitStore(url);
  stores.push(store);
  let commands = 0;
  const send = store.client.sendCommand.bind(store.client);
  store.client.sendCommand = (command, ...rest) => {
    if (command.name === "evalsha") commands++;
    return send(command, ...rest);
  };
  return {
    check: createCallBudget(limits, { redis: store, expectedInstances }),
    roundTrips: () => commands,
    close: async () => void (await store.client.quit()),
    store,
  };
}

const redisStore: LimitStoreUnderTest<RedisKeeper> = {
  name: "Redis",
  keeper,
  address: () => ({ host: "127.0.0.1", port: redis.port }),
  urlThrough: (relayPort) => `redis://127.0.0.1:${relayPort}`,
  unreachableUrl: (port) => `redis://127.0.0.1:${port}`,
  unreachableLog: /^\[toolgate\] limits: the shared rate-limit store \(Redis\) did not answer \(not connected to Redis \(connect ECONNREFUSED .+\)\); until it does/,
  reconnectsByItself: true,
  // Each key lives as long as its window.
  expectOwnKeys: async ({ store }, agent) => {
    expect((await store.client.keys(`toolgate:*${agent}*`)).sort()).toEqual(
      [`toolgate:agent:${agent}`, `toolgate:quota:${agent}`, `toolgate:tool:${agent}:s__other`, `toolgate:tool:${agent}:s__t`].sort(),
    );
    expect(await store.client.pttl(`toolgate:agent:${agent}`)).toBeLessThanOrEqual(1000);
    expect(await store.client.pttl(`toolgate:quota:${agent}`)).toBeGreaterThan(86_000_000);
  },
};

describe("limits shared through Redis", () => {
  sharedLimitCases(redisStore);

  it("keeps the day's quota used across a restart of a Redis that persists (append-only file)", async () => {
    const persistent = await startRedisServer({ persistent: true });
    try {
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 10 };
      const agent = randomUUID();
      const first = keeper(limits, 1, persistent.url);
      for (let i = 0; i < 7; i++) expect(await first.check(agent, "s__t")).toEqual({ allowed: true });
      await first.close();
      await persistent.stop();
      await persistent.start();
      const { check } = keeper(limits, 1, persistent.url);
      const after = await callUntilRefused(check, agent, "s__t", 1);
      expect(after.allowed).toBe(3);
    } finally {
      await persistent.close();
    }
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
  storeOutageCases(redisStore);

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
      await untilReconnected(check, agent, errors);
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

// The cases every shared limit store must pass (decision 039), defined once for a given store:
// lib/gateway/limits-shared.test.ts runs them on PostgreSQL, lib/gateway/limits-redis.test.ts on Redis,
// each beside the cases that are its store's own. Several keepers stand for several instances.
import { randomUUID } from "node:crypto";
import { expect, it, type MockInstance, vi } from "vitest";
import { storeRetryMs } from "@/lib/gateway/limit-leases";
import type { CallBudget, CallBudgetCheck, CallLimits } from "@/lib/gateway/limits";
import { freePort } from "@/lib/net/free-port";
import { metricsText } from "@/lib/observability/metrics";
import { startTcpRelay } from "./tcp-relay";

/** One instance's limits on the store under test. */
export interface LimitKeeper {
  check: CallBudgetCheck;
  /** The store round trips this keeper has made for leases (queries, or Redis scripts). */
  roundTrips(): number;
  /** Closes its connection to the store, as a stopping instance would. */
  close(): Promise<void>;
}

export interface LimitStoreUnderTest<K extends LimitKeeper> {
  /** As the outage log names it: "the shared rate-limit store (<name>) did not answer". */
  name: "PostgreSQL" | "Redis";
  /** A new keeper; `url` overrides the store's (a relay in front of it, or a port where nothing listens). */
  keeper(limits: CallLimits, expectedInstances?: number, url?: string): K;
  /** The store's address, to put a relay in front of it, and its URL through that relay. */
  address(): { host: string; port: number };
  urlThrough(relayPort: number): string;
  /** A URL of this store's kind where nothing listens, and what the outage log says of it. */
  unreachableUrl(port: number): string;
  unreachableLog: RegExp;
  /** Whether the client reconnects on its own (ioredis) rather than on the next call after the retry interval (pg). */
  reconnectsByItself: boolean;
  /** Checks the store's own record of an agent's windows, after the first case's calls. */
  expectOwnKeys?(keeper: K, agent: string): Promise<void>;
}

export const far = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 1_000_000_000 };

/** `workers` concurrent callers, each calling until its first refusal; how many calls were allowed. */
export async function callUntilRefused(check: CallBudgetCheck, agent: string, tool: string, workers: number): Promise<{ allowed: number; refusals: CallBudget[] }> {
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

export async function metricValue(name: string): Promise<number> {
  const { body } = await metricsText();
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(body)?.[1] ?? Number.NaN);
}

/**
 * Calls until the end of the outage is logged (the second error line): the client reconnects by itself
 * (ioredis: at most a second apart), then the next once-a-second probe finds the store again.
 */
export async function untilReconnected(check: CallBudgetCheck, agent: string, errors: MockInstance): Promise<void> {
  await vi.waitFor(
    async () => {
      await check(agent, "s__t");
      expect(errors).toHaveBeenCalledTimes(2);
    },
    { timeout: 5_000, interval: storeRetryMs / 4 },
  );
}

/** The cases of limits shared through `store` while it answers; call inside the file's describe. */
export function sharedLimitCases<K extends LimitKeeper>(store: LimitStoreUnderTest<K>): void {
  it(`says the limit and when to retry, as the in-memory limits do${store.expectOwnKeys ? ", in keys of Toolgate's own" : ""}`, async () => {
    const keeper = store.keeper({ agentPerSecond: 4, toolPerSecond: 2, agentPerDay: 1000 });
    const { check } = keeper;
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
    await store.expectOwnKeys?.(keeper, agent);
  });

  it("holds a daily quota across two instances under concurrent load: never more, and all of it", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 500 };
    const a = store.keeper(limits, 2);
    const b = store.keeper(limits, 2);
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
    const keepers = Array.from({ length: instances }, () => store.keeper(limits, instances));
    const agent = randomUUID();
    // Connect every keeper first (another agent), so the burst below is not the first connection's.
    await Promise.all(keepers.map(({ check }) => check(randomUUID(), "s__warm")));
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

  it("keeps the day's quota used when an instance restarts (a new keeper, a new connection)", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 10 };
    const agent = randomUUID();
    const first = store.keeper(limits);
    for (let i = 0; i < 6; i++) expect(await first.check(agent, "s__t")).toEqual({ allowed: true });
    await first.close();
    const { check } = store.keeper(limits);
    const after = await callUntilRefused(check, agent, "s__t", 1);
    expect(after.allowed).toBe(4);
    expect(after.refusals[0]).toMatchObject({ reason: expect.stringMatching(/quota: at most 10 calls per day/) });
  });

  it("loses at most one quota lease (1 % of the day) when an instance stops", async () => {
    const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 1_000 };
    const agent = randomUUID();
    const stopped = store.keeper(limits);
    expect(await stopped.check(agent, "s__t")).toEqual({ allowed: true });
    const { check } = store.keeper(limits);
    const after = await callUntilRefused(check, agent, "s__t", 4);
    expect(after.allowed).toBeGreaterThanOrEqual(1_000 - 10);
    expect(after.allowed).toBeLessThan(1_000);
  });

  it("shares one lease request among concurrent calls: 100 at once cost a handful of round trips", async () => {
    const { check, roundTrips } = store.keeper(far);
    const agent = randomUUID();
    const results = await Promise.all(Array.from({ length: 100 }, () => check(agent, "s__t")));
    expect(results.every((result) => result.allowed)).toBe(true);
    // One lease per limit (agent rate, tool rate, quota), and a few more on a slow machine at most.
    expect(roundTrips()).toBeGreaterThanOrEqual(3);
    expect(roundTrips()).toBeLessThanOrEqual(6);
  });

  it("spends leased points in memory: thousands of calls, a few round trips", async () => {
    const { check, roundTrips } = store.keeper(far);
    const agent = randomUUID();
    for (let i = 0; i < 5_000; i++) expect((await check(agent, "s__t")).allowed).toBe(true);
    // A lease per limit per second of calls at most, and the quota's 1 % leases (10,000,000 each here).
    expect(roundTrips()).toBeGreaterThanOrEqual(3);
    expect(roundTrips()).toBeLessThanOrEqual(30);
  });
}

/** The cases of a store that does not answer, then answers again; call inside the file's describe. */
export function storeOutageCases<K extends LimitKeeper>(store: LimitStoreUnderTest<K>): void {
  it("lets the in-memory insurance limiter decide with this instance's share, logs once and counts the outage", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const outagesBefore = await metricValue("toolgate_gateway_limit_store_outages_total");
      const insuredBefore = await metricValue("toolgate_gateway_limit_insured_calls_total");
      // A limit of 4 shared by 2 expected instances: each allows 2 while alone.
      const { check } = store.keeper({ agentPerSecond: 4, toolPerSecond: 100, agentPerDay: 1000 }, 2, store.unreachableUrl(await freePort()));
      const agent = randomUUID();
      const started = performance.now();
      const results = await Promise.all(Array.from({ length: 5 }, () => check(agent, "s__t")));
      expect(performance.now() - started, "no call waits longer than the first connection attempt").toBeLessThan(1_500);
      expect(results.filter((result) => result.allowed)).toHaveLength(2);
      expect(results.find((result) => !result.allowed)).toMatchObject({
        reason: expect.stringMatching(/^rate limit: at most 4 calls per second for this agent; retry in \d+ms$/),
      });
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(store.unreachableLog);
      expect(await metricValue("toolgate_gateway_limit_store_outages_total")).toBe(outagesBefore + 1);
      expect(await metricValue("toolgate_gateway_limit_insured_calls_total")).toBeGreaterThan(insuredBefore);
    } finally {
      errors.mockRestore();
    }
  });

  it(`refuses at once while the connection is cut, and shares the limits again once ${store.name} answers, logging the end of the outage once`, async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { host, port } = store.address();
    const relay = await startTcpRelay(host, port);
    try {
      const limits = { agentPerSecond: 1_000_000, toolPerSecond: 1_000_000, agentPerDay: 40 };
      const { check } = store.keeper(limits, 1, store.urlThrough(relay.port));
      const other = store.keeper(limits);
      const agent = randomUUID();
      // Quota leases are 1 point here (1 % of 40 rounds down to 0, at least 1): each call asks the store.
      for (let i = 0; i < 10; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      await relay.cut();
      const cutAt = performance.now();
      for (let i = 0; i < 5; i++) expect(await check(agent, "s__t")).toEqual({ allowed: true });
      // No lease waited for a timeout: a connection that is gone fails at once.
      expect(performance.now() - cutAt).toBeLessThan(500);
      expect(errors).toHaveBeenCalledTimes(1);
      expect(String(errors.mock.calls[0]![0])).toMatch(`store (${store.name}) did not answer`);
      await relay.restore();
      if (store.reconnectsByItself) {
        await untilReconnected(check, agent, errors);
      } else {
        await new Promise((resolve) => setTimeout(resolve, storeRetryMs + 100));
        // The first call after the retry interval asks the store in the background; the next ones are counted there again.
        await check(agent, "s__t");
        await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
      }
      expect(String(errors.mock.calls[1]![0])).toMatch(/answers again/);
      // The store saw 10 calls before the outage, and those after it: the other instance gets the rest of 40.
      let afterOutage = 0;
      while ((await check(agent, "s__t")).allowed) afterOutage++;
      const rest = await callUntilRefused(other.check, agent, "s__t", 1);
      expect(10 + afterOutage + rest.allowed).toBeLessThanOrEqual(40);
      expect(10 + afterOutage + rest.allowed).toBeGreaterThanOrEqual(38);
    } finally {
      await relay.cut();
      errors.mockRestore();
    }
  });
}

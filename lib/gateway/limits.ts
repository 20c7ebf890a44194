import pg from "pg";
import { RateLimiterMemory, RateLimiterPostgres, type RateLimiterRes } from "rate-limiter-flexible";
import { env, parseEnvPart, type RawEnv } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";
import { LeasedLimiter, type LimitStore, memoryLimiter, type PointLimiter, type Spent, StoreHealth } from "./limit-leases";
import { createRedisLimitStore, type RedisLimitStore } from "./limit-store-redis";

// Rate limits and the daily quota hold for the whole cluster and survive restarts: PostgreSQL (table
// rate_limits) counts them — or Redis, when REDIS_URL is set — and each instance leases points from it
// in chunks and spends them in memory, so a call costs no round trip (lib/gateway/limit-leases.ts,
// decision 039). With neither DATABASE_URL nor REDIS_URL they are counted in this process's memory
// alone, as before issue #20.

export interface CallLimits {
  /** Calls per second one agent may make, over all its tools. */
  agentPerSecond: number;
  /** Calls per second one agent may make to one tool. */
  toolPerSecond: number;
  /** Calls one agent may make in a 24-hour window that starts with its first call. */
  agentPerDay: number;
}

export type CallBudget = { allowed: true } | { allowed: false; reason: string; retryAfterMs: number };

/** The limits from the environment; a bad value throws naming the variable. */
export function readCallLimits(env?: RawEnv): CallLimits {
  const parsed = parseEnvPart(["TOOLGATE_RATE_AGENT_PER_SECOND", "TOOLGATE_RATE_TOOL_PER_SECOND", "TOOLGATE_QUOTA_AGENT_PER_DAY"], env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")} must be a positive whole number`).join("; ");
    throw new Error(`Invalid gateway limits: ${problems}`);
  }
  const settings = parsed.data;
  return {
    agentPerSecond: settings.TOOLGATE_RATE_AGENT_PER_SECOND,
    toolPerSecond: settings.TOOLGATE_RATE_TOOL_PER_SECOND,
    agentPerDay: settings.TOOLGATE_QUOTA_AGENT_PER_DAY,
  };
}

/**
 * Where the limits are shared — the database pool, or Redis (lib/gateway/limit-store-redis.ts) — and
 * how many instances share them (their outage share).
 */
export type SharedLimitStore = ({ pool: pg.Pool } | { redis: RedisLimitStore }) & {
  /** While the store does not answer, each instance allows limit ÷ this (rounded up). */
  expectedInstances: number;
};

const allowed: CallBudget = Object.freeze({ allowed: true });
const day = 24 * 60 * 60;
/** The table migration 20261202110000_rate_limits creates (the app never runs DDL). */
export const rateLimitTable = "rate_limits";
// A quota lease is at most 1 % of the day's points: an instance that stops wastes at most that much.
const quotaLeaseShare = 0.01;

function retryIn(ms: number): string {
  if (ms < 10_000) return `${ms}ms`;
  if (ms < 120_000) return `${Math.ceil(ms / 1000)}s`;
  if (ms < 2 * 60 * 60_000) return `${Math.ceil(ms / 60_000)}min`;
  return `${Math.ceil(ms / 3_600_000)}h`;
}

export type CallBudgetCheck = (agentId: string, exposedToolName: string) => Promise<CallBudget>;

/** One limit's shared counter in the given store. */
function sharedCounter(shared: SharedLimitStore, keyPrefix: string, points: number, duration: number, clearExpired: boolean): LimitStore {
  if ("redis" in shared) return shared.redis.limiter({ keyPrefix, points, duration });
  return new RateLimiterPostgres({
    storeClient: shared.pool,
    storeType: "pool",
    tableName: rateLimitTable,
    tableCreated: true,
    keyPrefix,
    points,
    duration,
    // The library deletes windows over an hour old every 5 minutes; one limiter per keeper suffices.
    clearExpiredByTimeout: clearExpired,
  });
}

function sharedLimiters(limits: CallLimits, shared: SharedLimitStore): [PointLimiter, PointLimiter, PointLimiter] {
  const health = new StoreHealth("redis" in shared ? "Redis" : "PostgreSQL");
  const leased = (keyPrefix: string, points: number, duration: number, maxLease: number, clearExpired: boolean) =>
    new LeasedLimiter({
      store: sharedCounter(shared, keyPrefix, points, duration, clearExpired),
      insurance: new RateLimiterMemory({ points: Math.ceil(points / shared.expectedInstances), duration, keyPrefix: "" }),
      points,
      maxLease,
      health,
    });
  return [
    leased("agent", limits.agentPerSecond, 1, limits.agentPerSecond, true),
    leased("tool", limits.toolPerSecond, 1, limits.toolPerSecond, false),
    leased("quota", limits.agentPerDay, day, Math.max(1, Math.floor(limits.agentPerDay * quotaLeaseShare)), false),
  ];
}

/**
 * A budget keeper for the given limits: shared through `shared` (the cluster's), or in this process's
 * memory alone. Order: the agent's rate, the agent+tool rate, then the daily quota; a call refused by a
 * rate limit still counts against the rates (it is load) but not the quota.
 */
export function createCallBudget(limits: CallLimits, shared?: SharedLimitStore): CallBudgetCheck {
  const [agentRate, toolRate, quota] = shared
    ? sharedLimiters(limits, shared)
    : [memoryLimiter(limits.agentPerSecond, 1), memoryLimiter(limits.toolPerSecond, 1), memoryLimiter(limits.agentPerDay, day)];

  const refusal = (refused: RateLimiterRes, describe: (retry: string) => string): CallBudget => {
    const retryAfterMs = Math.max(1, Math.ceil(refused.msBeforeNext));
    return { allowed: false, reason: describe(retryIn(retryAfterMs)), retryAfterMs };
  };

  return async (agentId, exposedToolName) => {
    let spent: Spent | Promise<Spent> = agentRate.spend(agentId);
    if (spent instanceof Promise) spent = await spent;
    if (spent) return refusal(spent, (retry) => `rate limit: at most ${limits.agentPerSecond} calls per second for this agent; retry in ${retry}`);
    // Agent ids are UUIDs, so the first ":" ends the agent part of the key.
    spent = toolRate.spend(`${agentId}:${exposedToolName}`);
    if (spent instanceof Promise) spent = await spent;
    if (spent) {
      return refusal(
        spent,
        (retry) => `rate limit: at most ${limits.toolPerSecond} calls per second to tool '${exposedToolName}' for this agent; retry in ${retry}`,
      );
    }
    spent = quota.spend(agentId);
    if (spent instanceof Promise) spent = await spent;
    if (spent) return refusal(spent, (retry) => `quota: at most ${limits.agentPerDay} calls per day for this agent are used up; retry in ${retry}`);
    return allowed;
  };
}

/** How many instances share the limits (TOOLGATE_EXPECTED_INSTANCES); a bad value throws naming it. */
export function readExpectedInstances(env?: RawEnv): number {
  const parsed = parseEnvPart(["TOOLGATE_EXPECTED_INSTANCES"], env);
  if (!parsed.success) throw new Error("Invalid gateway limits: TOOLGATE_EXPECTED_INSTANCES must be a positive whole number");
  return parsed.data.TOOLGATE_EXPECTED_INSTANCES;
}

/** A small pool of the limits' own, so lease requests never queue behind the app's queries. */
export function createLimitStorePool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max: 4,
    allowExitOnIdle: true,
    application_name: "toolgate-limits",
    // A store that does not answer within a second counts as down: the insurance limiter decides.
    connectionTimeoutMillis: 1_000,
    query_timeout: 1_000,
  });
  // An idle connection that drops is not an outage by itself: the next lease finds out and says so.
  pool.on("error", () => undefined);
  return pool;
}

/**
 * The store the environment names: Redis when REDIS_URL is set (the table rate_limits is then not
 * used), else PostgreSQL when DATABASE_URL is, else none (memory alone). Its client is this process's one.
 */
export function sharedLimitStoreFromEnv(raw: RawEnv = process.env): SharedLimitStore | undefined {
  const expectedInstances = readExpectedInstances(raw);
  const redisUrl = env("REDIS_URL", raw);
  if (redisUrl) return { redis: createRedisLimitStore(redisUrl), expectedInstances };
  const databaseUrl = env("DATABASE_URL", raw);
  return databaseUrl ? { pool: createLimitStorePool(databaseUrl), expectedInstances } : undefined;
}

function callBudgetFromEnv(): CallBudgetCheck {
  return createCallBudget(readCallLimits(), sharedLimitStoreFromEnv());
}

/** Spends one call of the agent's budget for the tool, with the limits from the environment. */
export function consumeCallBudget(agentId: string, exposedToolName: string): Promise<CallBudget> {
  return singleton("callBudget", callBudgetFromEnv)(agentId, exposedToolName);
}

import { Redis } from "ioredis";
import { RateLimiterRedis, type RateLimiterRes } from "rate-limiter-flexible";
import type { LimitStore } from "./limit-leases";

// The limits' shared store in Redis, when REDIS_URL is set (decision 039, 2026-12-01): one ioredis
// client per process for all three limits, each a rate-limiter-flexible RateLimiterRedis behind the
// same leases, insurance limiter, outage log and metrics as PostgreSQL's. A command never waits for a
// Redis that is away: with enableOfflineQueue off (as the library asks) it fails at once while the
// client is disconnected, and within commandTimeoutMs when Redis does not answer; either marks the
// store down and the insurance limiter decides. ioredis reconnects by itself meanwhile.

/** Connecting, and each command, may take this long before Redis counts as not answering. */
export const redisTimeoutMs = 1_000;
// Reconnect attempts back off to one a second, the leasing layer's own retry interval.
const reconnectDelayMs = (attempt: number) => Math.min(attempt * 100, 1_000);

export interface RedisLimitStore {
  /** The process's one client (tests close it; the app keeps it for the process's life). */
  client: Redis;
  /** A shared counter for one limit: `keyPrefix` names it (agent, tool, quota); windows last `duration` seconds. */
  limiter(options: { keyPrefix: string; points: number; duration: number }): LimitStore;
}

/** The client and the limiters for a redis:// or rediss:// URL (REDIS_URL, validated by lib/config/env.ts). */
export function createRedisLimitStore(url: string): RedisLimitStore {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    connectTimeout: redisTimeoutMs,
    commandTimeout: redisTimeoutMs,
    // A command cut off by a lost connection fails rather than being sent again after the reconnect:
    // Redis may have applied it, and a lease sent twice would count its points twice.
    maxRetriesPerRequest: 0,
    retryStrategy: reconnectDelayMs,
    connectionName: "toolgate-limits",
  });
  let lastError: Error | undefined;
  // A failed connection is not an outage by itself: the next lease finds out and says so, with this cause.
  client.on("error", (error: Error) => (lastError = error));
  client.on("ready", () => (lastError = undefined));
  // Leases asked for in the first moments after a start wait for the first connection attempt (at most
  // redisTimeoutMs) rather than read as an outage; afterwards nobody waits for a connection.
  const firstAttempt = new Promise<void>((resolve) => {
    const settle = () => {
      clearTimeout(timer);
      client.off("ready", settle);
      client.off("error", settle);
      resolve();
    };
    const timer = setTimeout(settle, redisTimeoutMs);
    timer.unref();
    client.once("ready", settle);
    client.once("error", settle);
  });
  const ready = () => client.status === "ready";
  const connected = async () => {
    if (ready()) return;
    await firstAttempt;
    if (!ready()) throw new Error(`not connected to Redis (${lastError?.message ?? client.status})`);
  };

  return {
    client,
    limiter({ keyPrefix, points, duration }) {
      // Keys read toolgate:agent:<agent id>, toolgate:tool:<agent id>:<tool>, toolgate:quota:<agent id>,
      // each expiring with its window, so a Redis shared with other applications keeps them apart.
      const store = new RateLimiterRedis({ storeClient: client, keyPrefix: `toolgate:${keyPrefix}`, points, duration });
      return {
        async consume(key: string, spend: number): Promise<RateLimiterRes> {
          await connected();
          return store.consume(key, spend);
        },
      };
    },
  };
}

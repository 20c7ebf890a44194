import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { countLimitInsuredCall, countLimitStoreOutage } from "@/lib/observability/metrics";

// Limits shared by every gateway instance without a database round trip per call (decision 039).
// The shared store — PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, table rate_limits), or
// Redis (RateLimiterRedis) when REDIS_URL is set — is the authority on how many points a key has used
// in its window. Each instance LEASES points from it in chunks — one `consume(key, k)` — and spends
// them in memory, one per call; when its share runs out it leases again. k is a quarter of what the
// window had left at the last answer, so far from the limit one round trip covers many calls and near
// it leases shrink to 1 (exact). Leased points die with the store's window, so the cluster never
// admits more than the limit per window.
// When the store does not answer, a RateLimiterMemory with this instance's share decides instead.

/** undefined: the point is spent; a RateLimiterRes: refused, its msBeforeNext says for how long. */
export type Spent = RateLimiterRes | undefined;

/**
 * What the leasing layer needs of the shared store (RateLimiterPostgres and RateLimiterRedis have it):
 * add `points` to the key's window, answering its state, or rejecting with a RateLimiterRes when the
 * window went over its points; any other rejection means the store did not answer.
 */
export interface LimitStore {
  consume(key: string, points: number): Promise<RateLimiterRes>;
}

/** One limit (per second, per day) over many keys. */
export interface PointLimiter {
  /** Spends one point of `key`; synchronous when this instance decides it from what it holds. */
  spend(key: string): Spent | Promise<Spent>;
}

const noOptions = Object.freeze({});
const spentPoint = (): Spent => undefined;
function refusedPoint(error: unknown): Spent {
  // rate-limiter-flexible rejects with a RateLimiterRes (no stack trace) when the key is over its points.
  if (error instanceof RateLimiterRes) return error;
  throw error;
}

/** A limit counted in this process's memory alone (no database: tests, tools without DATABASE_URL). */
export function memoryLimiter(points: number, durationSeconds: number): PointLimiter {
  // An empty key prefix: each limiter has its own store, and it saves a string per call.
  const limiter = new RateLimiterMemory({ points, duration: durationSeconds, keyPrefix: "" });
  return { spend: (key) => limiter.consume(key, 1, noOptions).then(spentPoint, refusedPoint) };
}

// PostgreSQL text cannot hold NUL (Redis keys can; both stores get the same keys). Exposed tool names
// are [A-Za-z0-9_.-] and agent ids UUIDs, so this only keeps a stray caller from reading as an outage.
const storeKey = (key: string) => (key.includes("\u0000") ? key.replaceAll("\u0000", "\\u0000") : key);

/** A lease is a quarter of what the store's window had left (see decision 039 for the arithmetic). */
export const leaseDivisor = 4;
/** How long calls use the insurance limiter alone before one of them asks the store again. */
export const storeRetryMs = 1_000;
const sweepEveryMs = 60_000;

/**
 * Whether the shared store answers, for the limiters of one budget keeper: an outage is logged once
 * when it starts and once when it ends, and counted in toolgate_gateway_limit_store_outages_total.
 */
export class StoreHealth {
  private down = false;
  private probeAt = 0;

  /** `storeName` names the store in the outage log: "PostgreSQL" or "Redis". */
  constructor(private readonly storeName: string) {}

  get isDown(): boolean {
    return this.down;
  }

  /** True at most once per storeRetryMs while the store is down: that caller asks the store again. */
  takeProbe(now: number): boolean {
    if (now < this.probeAt) return false;
    this.probeAt = now + storeRetryMs;
    return true;
  }

  failed(error: unknown): void {
    this.probeAt = Date.now() + storeRetryMs;
    if (this.down) return;
    this.down = true;
    countLimitStoreOutage();
    const why = error instanceof Error ? error.message : String(error);
    console.error(
      `[toolgate] limits: the shared rate-limit store (${this.storeName}) did not answer (${why}); until it does, this instance counts its share of each limit in memory.`,
    );
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    console.error("[toolgate] limits: the shared rate-limit store answers again; limits are shared across instances again.");
  }
}

interface Lease {
  /** Points leased from the store and not yet spent. */
  points: number;
  /** When the store's window ends (epoch ms): unspent points die with it. */
  expiresAt: number;
  /** What the window had left, cluster-wide, at the store's last answer. */
  remaining: number;
  /** The store said the key is used up until then. */
  blockedUntil: number;
  /** The lease request in flight: concurrent calls wait for this one rather than each asking. */
  pending: Promise<void> | undefined;
}

export interface LeasedLimiterOptions {
  /** The shared counter: a RateLimiterPostgres or RateLimiterRedis with this limit's points and duration. */
  store: LimitStore;
  /** Decides while the store does not answer: a RateLimiterMemory with this instance's share. */
  insurance: RateLimiterMemory;
  points: number;
  /** The largest lease (the daily quota caps it, so a stopped instance wastes little of a day). */
  maxLease: number;
  health: StoreHealth;
}

/** One limit shared through the store, spent from leases held in memory. */
export class LeasedLimiter implements PointLimiter {
  private readonly leases = new Map<string, Lease>();
  private nextSweep = 0;

  constructor(private readonly options: LeasedLimiterOptions) {}

  spend(key: string): Spent | Promise<Spent> {
    // The common path: a point from the lease this instance holds, no allocation, no await.
    const lease = this.leases.get(key);
    if (lease !== undefined && lease.points > 0 && Date.now() < lease.expiresAt) {
      lease.points--;
      return undefined;
    }
    return this.spendAfterLease(key);
  }

  private async spendAfterLease(key: string): Promise<Spent> {
    let lease = this.leases.get(key);
    if (lease === undefined) {
      this.sweep();
      lease = { points: 0, expiresAt: 0, remaining: this.options.points, blockedUntil: 0, pending: undefined };
      this.leases.set(key, lease);
    }
    for (;;) {
      const now = Date.now();
      if (lease.points > 0 && now < lease.expiresAt) {
        lease.points--;
        return undefined;
      }
      if (now < lease.blockedUntil) return new RateLimiterRes(0, lease.blockedUntil - now);
      if (this.options.health.isDown) {
        // Nobody waits on a store that did not answer: one call per interval asks again in the background.
        if (lease.pending === undefined && this.options.health.takeProbe(now)) lease.pending = this.renew(key, lease);
        return this.insure(key);
      }
      lease.pending ??= this.renew(key, lease);
      await lease.pending;
    }
  }

  /** Leases points for `key` from the store into `lease`; never rejects (a failure marks the store down). */
  private async renew(key: string, lease: Lease): Promise<void> {
    const { store, points, maxLease, health } = this.options;
    const now = Date.now();
    const remaining = now < lease.expiresAt ? lease.remaining : points;
    const size = Math.min(maxLease, Math.max(1, Math.floor(remaining / leaseDivisor)));
    try {
      let answer: RateLimiterRes;
      let granted = size;
      try {
        answer = await store.consume(storeKey(key), size);
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) {
          health.failed(error);
          return;
        }
        // The store added `size` and went over the limit: the points that were left before are ours
        // (the store applied the updates one after another; every later one sees the key used up).
        answer = error;
        const before = answer.consumedPoints - size;
        granted = before < points ? points - before : 0;
      }
      health.answered();
      const at = Date.now();
      const expiresAt = at + answer.msBeforeNext;
      lease.points = (at < lease.expiresAt ? lease.points : 0) + granted;
      lease.expiresAt = expiresAt;
      lease.remaining = answer.remainingPoints;
      if (answer.remainingPoints === 0) lease.blockedUntil = expiresAt;
    } finally {
      lease.pending = undefined;
    }
  }

  private insure(key: string): Promise<Spent> {
    countLimitInsuredCall();
    return this.options.insurance.consume(key, 1, noOptions).then(spentPoint, refusedPoint);
  }

  /** Forgets leases whose window is over, at most once a minute, when a new key arrives. */
  private sweep(): void {
    const now = Date.now();
    if (now < this.nextSweep) return;
    this.nextSweep = now + sweepEveryMs;
    for (const [key, lease] of this.leases) {
      if (lease.pending === undefined && lease.expiresAt <= now && lease.blockedUntil <= now) this.leases.delete(key);
    }
  }
}

import { RateLimiterPrisma, type RateLimiterAbstract } from "rate-limiter-flexible";
import { db } from "@/lib/db/prisma";
import { forwardedHostTrusted } from "@/lib/net/public-origin";
import { singleton } from "@/lib/runtime/singleton";

// Password guessing is slowed twice over: failures are counted per account (whoever tries it, from
// wherever) and per client address (whichever accounts it tries). Past the limit, sign-in is refused
// outright, the right password included, until the block ends; a successful sign-in clears the
// account's count. The counts live in the database (rate-limiter-flexible's Prisma store), so every
// instance sees the same ones and a restart does not reset them.

export interface ThrottleRule {
  /** Failures allowed within `windowSeconds`; the next attempt is refused. */
  failures: number;
  windowSeconds: number;
  /** How long a refused account or address stays refused. */
  blockSeconds: number;
}

// The address rule is looser than the account rule: behind one NAT, or behind a reverse proxy whose
// X-Forwarded-For is not trusted (TOOLGATE_TRUST_PROXY), many people share an address.
export const signInThrottleRules = {
  account: { failures: 10, windowSeconds: 15 * 60, blockSeconds: 15 * 60 },
  address: { failures: 100, windowSeconds: 60 * 60, blockSeconds: 60 * 60 },
} as const satisfies Record<string, ThrottleRule>;

export type ThrottleScope = keyof typeof signInThrottleRules;

export interface Lockout {
  scope: ThrottleScope;
  retryAfterSeconds: number;
}

function limiterFor(scope: ThrottleScope, rule: ThrottleRule): RateLimiterAbstract {
  return new RateLimiterPrisma({
    storeClient: db(),
    tableName: "signInThrottle",
    keyPrefix: `sign-in:${scope}`,
    points: rule.failures,
    duration: rule.windowSeconds,
  });
}

export class SignInThrottle {
  private readonly limiters: Record<ThrottleScope, RateLimiterAbstract>;

  constructor(private readonly rules: Record<ThrottleScope, ThrottleRule> = signInThrottleRules) {
    this.limiters = { account: limiterFor("account", rules.account), address: limiterFor("address", rules.address) };
  }

  private keys(account: string, address: string): Record<ThrottleScope, string> {
    return { account: account.trim().toLowerCase().slice(0, 320), address };
  }

  /** The lockout in force for this account or address, the longer one if both; null when sign-in may be tried. */
  async lockout(account: string, address: string): Promise<Lockout | null> {
    const keys = this.keys(account, address);
    let longest: Lockout | null = null;
    for (const scope of ["account", "address"] as const) {
      const state = await this.limiters[scope].get(keys[scope]);
      if (!state || state.consumedPoints < this.rules[scope].failures) continue;
      const retryAfterSeconds = Math.max(1, Math.ceil(state.msBeforeNext / 1000));
      if (!longest || retryAfterSeconds > longest.retryAfterSeconds) longest = { scope, retryAfterSeconds };
    }
    return longest;
  }

  /** Counts a failure; returns the lockouts it started (the account's, the address's, or none). */
  async recordFailure(account: string, address: string): Promise<Lockout[]> {
    const keys = this.keys(account, address);
    const started: Lockout[] = [];
    for (const scope of ["account", "address"] as const) {
      const rule = this.rules[scope];
      const state = await this.limiters[scope].penalty(keys[scope]);
      if (state.consumedPoints === rule.failures) {
        await this.limiters[scope].block(keys[scope], rule.blockSeconds);
        started.push({ scope, retryAfterSeconds: rule.blockSeconds });
      }
    }
    return started;
  }

  /** A successful sign-in clears the account's failures (not the address's: it may be guessing others). */
  async recordSuccess(account: string, address: string): Promise<void> {
    await this.limiters.account.delete(this.keys(account, address).account);
  }
}


/** The process's throttle over the app's database. */
export function signInThrottle(): SignInThrottle {
  return singleton("signInThrottle", () => new SignInThrottle());
}

/**
 * The client's address as the server saw it. Toolgate's front server (lib/runtime/app-server.ts) appends
 * the address it was connected from to X-Forwarded-For, so the last entry is the one nobody could forge;
 * behind a trusted reverse proxy (TOOLGATE_TRUST_PROXY=true) the first entry is the client's.
 */
export function clientAddress(headers: Record<string, string | string[] | undefined> | undefined): string {
  const raw = headers?.["x-forwarded-for"];
  const entries = (Array.isArray(raw) ? raw.join(",") : (raw ?? "")).split(",").map((entry) => entry.trim()).filter(Boolean);
  const address = forwardedHostTrusted() ? entries[0] : entries.at(-1);
  return (address ?? "unknown").slice(0, 100);
}

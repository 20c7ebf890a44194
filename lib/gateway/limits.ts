import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { parseEnvPart, type RawEnv } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";

// Rate limits and the daily quota are counted in this process's memory (rate-limiter-flexible's
// RateLimiterMemory): no round trip on the call path. With several instances each counts its own
// share, so the effective limit is per instance (docs/decisions/009-gateway-hot-path.md).

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

const allowed: CallBudget = Object.freeze({ allowed: true });
const noOptions = Object.freeze({});
const day = 24 * 60 * 60;

function retryIn(ms: number): string {
  if (ms < 10_000) return `${ms}ms`;
  if (ms < 120_000) return `${Math.ceil(ms / 1000)}s`;
  if (ms < 2 * 60 * 60_000) return `${Math.ceil(ms / 60_000)}min`;
  return `${Math.ceil(ms / 3_600_000)}h`;
}

export type CallBudgetCheck = (agentId: string, exposedToolName: string) => Promise<CallBudget>;

/**
 * A budget keeper for the given limits. Order: the agent's rate, the agent+tool rate, then the daily
 * quota; a call refused by a rate limit still counts against the rates (it is load) but not the quota.
 */
export function createCallBudget(limits: CallLimits): CallBudgetCheck {
  // An empty key prefix: each limiter has its own store, and it saves a string per call.
  const agentRate = new RateLimiterMemory({ points: limits.agentPerSecond, duration: 1, keyPrefix: "" });
  const toolRate = new RateLimiterMemory({ points: limits.toolPerSecond, duration: 1, keyPrefix: "" });
  const quota = new RateLimiterMemory({ points: limits.agentPerDay, duration: day, keyPrefix: "" });

  // RateLimiterMemory rejects with a RateLimiterRes (no stack trace) when the key is over its points.
  const refusal = (error: unknown, describe: (retry: string) => string): CallBudget => {
    if (!(error instanceof RateLimiterRes)) throw error;
    const retryAfterMs = Math.max(1, Math.ceil(error.msBeforeNext));
    return { allowed: false, reason: describe(retryIn(retryAfterMs)), retryAfterMs };
  };

  return async (agentId, exposedToolName) => {
    try {
      await agentRate.consume(agentId, 1, noOptions);
    } catch (error) {
      return refusal(error, (retry) => `rate limit: at most ${limits.agentPerSecond} calls per second for this agent; retry in ${retry}`);
    }
    try {
      await toolRate.consume(`${agentId}\u0000${exposedToolName}`, 1, noOptions);
    } catch (error) {
      return refusal(
        error,
        (retry) => `rate limit: at most ${limits.toolPerSecond} calls per second to tool '${exposedToolName}' for this agent; retry in ${retry}`,
      );
    }
    try {
      await quota.consume(agentId, 1, noOptions);
    } catch (error) {
      return refusal(error, (retry) => `quota: at most ${limits.agentPerDay} calls per day for this agent are used up; retry in ${retry}`);
    }
    return allowed;
  };
}

/** Spends one call of the agent's budget for the tool, with the limits from the environment. */
export function consumeCallBudget(agentId: string, exposedToolName: string): Promise<CallBudget> {
  return singleton("callBudget", () => createCallBudget(readCallLimits()))(agentId, exposedToolName);
}

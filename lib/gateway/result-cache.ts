import type { AgentIdentity } from "@/lib/agents/keys";
import { countResultCache } from "@/lib/observability/metrics";
import { singleton } from "@/lib/runtime/singleton";
import type { CallResult } from "./backend-exchange";
import { onResolutionChange } from "./invalidation";
import type { ResolvedTool } from "./resolution";

// The result cache of read-only, idempotent tools (decision 035): an entry's owner may let the gateway
// answer a repeated call from memory for a few seconds. Only a tool whose pinned definition declares both
// `readOnlyHint` and `idempotentHint` is cached (ResolvedTool.resultCacheTtlMs), only a result that is not
// an error, and only for the same agent (and the same person it acts for), the same pinned definition and
// the same arguments, under the same load of the agent's view. Hits are looked up after every check of the
// call. Any change to what the gateway resolves (kill switch, grant, pin, drift, the owner's TTL) reloads
// the view, so results cached under the old one are never answered again; the notification that drops
// the views empties the cache too, freeing the memory.

/** Every instance holds at most this much cached JSON (UTF-16 code units, near enough to bytes). */
const maxCacheBytes = 32 * 1024 * 1024;
/** A larger result is not cached: one big answer must not push out everything else. */
const maxEntryBytes = 1024 * 1024;

interface Entry {
  result: CallResult;
  expiresAt: number;
  bytes: number;
}

/** A least-recently-used map bounded by the size of what it holds; Map keeps insertion order, so the first key is the oldest. */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    private readonly maxBytes = maxCacheBytes,
    private readonly maxEntry = maxEntryBytes,
  ) {}

  get(key: string, now = Date.now()): CallResult | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= now) {
      this.bytes -= entry.bytes;
      return undefined;
    }
    this.entries.set(key, entry);
    return entry.result;
  }

  set(key: string, result: CallResult, ttlMs: number, now = Date.now()): void {
    const bytes = key.length + JSON.stringify(result).length;
    if (bytes > this.maxEntry) return;
    this.delete(key);
    this.entries.set(key, { result, expiresAt: now + ttlMs, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }
}

// A singleton, so every copy of this module Next.js loads shares one cache, dropped with the views.
const cache = singleton("resultCache", () => {
  const results = new ResultCache();
  onResolutionChange(() => results.clear());
  return results;
});

/**
 * The key of a call's cached result: who calls (the agent, and the person it acts for), what exactly is
 * called (server, tool, pinned version and definition hash), with what (the arguments' hash) and under
 * which load of the view.
 */
export function resultCacheKey(agent: AgentIdentity, tool: ResolvedTool, argumentsHash: string): string {
  const user = agent.onBehalfOf ? `${agent.onBehalfOf.issuer} ${agent.onBehalfOf.subject}` : "";
  return `${agent.agentId}\n${user}\n${tool.serverId}\n${tool.versionId}\n${tool.toolName}\n${tool.definitionHash}\n${argumentsHash}\n${tool.viewGeneration}`;
}

/** The cached result under this key, if one is there and fresh (counted as a hit or a miss). Results are shared, never changed by the call path. */
export function cachedResult(key: string): CallResult | undefined {
  const result = cache.get(key);
  countResultCache(result === undefined ? "miss" : "hit");
  return result;
}

/** Keeps a successful result for `ttlMs`. */
export function storeResult(key: string, result: CallResult, ttlMs: number): void {
  if (result.isError) return;
  cache.set(key, result, ttlMs);
}

/** Empties this instance's result cache (tests, and anything that must not answer from memory). */
export function clearResultCache(): void {
  cache.clear();
}

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { pendingToolCallCounts } from "@/lib/tool-approvals/inbox";
import { auditQuarantinedCount } from "@/lib/audit/quarantine";
import type { GatewayDecision } from "@/lib/gateway/audit-queue";
import type { BackendState, BreakerState } from "@/lib/gateway/backends";
import { singleton } from "@/lib/runtime/singleton";

// Prometheus metrics of this process, served by app/api/metrics. The gateway counts calls as they
// happen; the gauges are read when Prometheus scrapes, so they cost nothing between scrapes.

const decisions: readonly GatewayDecision[] = ["allowed", "refused", "failed"];
const breakerValues: Record<BreakerState, number> = { closed: 0, "half-open": 1, open: 2 };

interface Metrics {
  registry: Registry;
  calls: Counter<"decision">;
  duration: Histogram<"decision">;
  edgeRefusals: Counter<"status" | "reason">;
  leanCalls: Counter;
  shadowDisagreements: Counter<"from" | "to">;
  resultCache: Counter<"outcome">;
  limitStoreOutages: Counter;
  limitInsuredCalls: Counter;
}

function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "toolgate_" });
  const calls = new Counter({
    name: "toolgate_gateway_calls_total",
    help: "Gateway tools/call requests by decision.",
    labelNames: ["decision"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "toolgate_gateway_call_duration_seconds",
    help: "Time the gateway took to answer a tools/call, by decision.",
    labelNames: ["decision"],
    // From a refusal decided in memory (about a millisecond) to the longest backend timeout (60 s).
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  // Every decision appears from the first scrape, so rate() has a zero to start from.
  for (const decision of decisions) {
    calls.inc({ decision }, 0);
    duration.zero({ decision });
  }
  const edgeRefusals = new Counter({
    name: "toolgate_gateway_edge_refusals_total",
    help: "Requests the gateway's HTTP edge answered with an error before any MCP handling, by status and reason.",
    labelNames: ["status", "reason"],
    registers: [registry],
  });
  const leanCalls = new Counter({
    name: "toolgate_gateway_lean_calls_total",
    help: "Gateway tools/call requests answered by the lean path (lib/gateway/lean-call.ts); the others took the SDK path.",
    registers: [registry],
  });
  const shadowDisagreements = new Counter({
    name: "toolgate_policy_shadow_disagreements_total",
    help: "Gateway tools/call requests the policy set in shadow decided differently from the active set, by the active (from) and the shadow (to) decision.",
    labelNames: ["from", "to"],
    registers: [registry],
  });
  const resultCache = new Counter({
    name: "toolgate_gateway_result_cache_total",
    help: "Gateway tools/call requests to tools whose results may be cached (lib/gateway/result-cache.ts), by outcome: hit or miss.",
    labelNames: ["outcome"],
    registers: [registry],
  });
  for (const outcome of ["hit", "miss"]) resultCache.inc({ outcome }, 0);
  const limitStoreOutages = new Counter({
    name: "toolgate_gateway_limit_store_outages_total",
    help: "Times the shared rate-limit store (PostgreSQL, or Redis when REDIS_URL is set) stopped answering and this instance's in-memory insurance limits took over (decision 039).",
    registers: [registry],
  });
  const limitInsuredCalls = new Counter({
    name: "toolgate_gateway_limit_insured_calls_total",
    help: "Limit checks the in-memory insurance limiter decided while the shared rate-limit store did not answer (one per limit checked).",
    registers: [registry],
  });
  new Gauge({
    name: "toolgate_approvals_pending",
    help: "Tool-call approvals waiting for a decision and not yet expired.",
    registers: [registry],
    async collect() {
      try {
        this.set((await pendingToolCallCounts()).pending);
      } catch (error) {
        // NaN, not 0: a count that failed must not read as an empty inbox, nor fail the whole scrape.
        console.error(`[toolgate] metrics: counting pending approvals failed: ${error instanceof Error ? error.message : String(error)}`);
        this.set(Number.NaN);
      }
    },
  });
  new Gauge({
    name: "toolgate_backend_breaker_state",
    help: "Circuit breaker per backend server version: 0 closed, 1 half-open, 2 open.",
    // The breaker pool knows versions by id only, so the version label is the version's id.
    labelNames: ["server", "version"],
    registers: [registry],
    collect() {
      // Rebuilt each scrape so a backend whose session was closed drops out.
      this.reset();
      for (const backend of gatewaySources.backendStates()) this.set({ server: backend.serverName, version: backend.versionId }, breakerValues[backend.state]);
    },
  });
  new Gauge({
    name: "toolgate_backend_sessions",
    help: "Upstream sessions open per backend server version: one per agent (and person it acts for), bounded, idle ones closed.",
    labelNames: ["server", "version"],
    registers: [registry],
    collect() {
      this.reset();
      for (const backend of gatewaySources.backendStates()) this.set({ server: backend.serverName, version: backend.versionId }, backend.sessions);
    },
  });
  new Gauge({
    name: "toolgate_audit_queue_depth",
    help: "Gateway audit events queued in memory and not yet written to the database.",
    registers: [registry],
    collect() {
      this.set(gatewaySources.auditQueueDepth());
    },
  });
  new Counter({
    name: "toolgate_audit_quarantined_total",
    help: "Audit events (and unreadable spool or journal lines) this process set aside in the quarantine file because the database refused them.",
    registers: [registry],
    collect() {
      // Counted where it happens (lib/audit/quarantine.ts); read here, so the audit path needs no metrics import.
      this.reset();
      this.inc(auditQuarantinedCount());
    },
  });
  return { registry, calls, duration, edgeRefusals, leanCalls, shadowDisagreements, resultCache, limitStoreOutages, limitInsuredCalls };
}

/** The gateway's live state the gauges read at each scrape; lib/runtime/gateway-wiring.ts supplies it. */
export interface GatewayGaugeSources {
  backendStates(): BackendState[];
  auditQueueDepth(): number;
}

// Registered by the wiring rather than imported, so that metrics does not import the gateway that
// imports metrics. Until then the process has no pooled backend and no queued audit to report.
const gatewaySources = singleton<GatewayGaugeSources>("gatewayGaugeSources", () => ({ backendStates: () => [], auditQueueDepth: () => 0 }));

/** Sets where the backend-breaker and audit-queue gauges read from. */
export function readGatewayGaugesFrom(sources: GatewayGaugeSources): void {
  Object.assign(gatewaySources, sources);
}

// One registry per process (a singleton): Next.js may load this module more than once (route handlers,
// instrumentation), and a second registry would count apart from the one that is scraped.
const metrics = () => singleton("metrics", createMetrics);

/** Counts one gateway tools/call and how long it took to answer. */
export function observeGatewayCall(decision: GatewayDecision, seconds: number): void {
  const { calls, duration } = metrics();
  calls.inc({ decision });
  duration.observe({ decision }, seconds);
}

/** Counts one tools/call answered by the gateway's lean path. */
export function countLeanCall(): void {
  metrics().leanCalls.inc();
}

/** Counts one lookup in the gateway's result cache. */
export function countResultCache(outcome: "hit" | "miss"): void {
  metrics().resultCache.inc({ outcome });
}

/** Counts one outage of the shared rate-limit store (lib/gateway/limit-leases.ts). */
export function countLimitStoreOutage(): void {
  metrics().limitStoreOutages.inc();
}

/** Counts one limit check decided by the in-memory insurance limiter during a store outage. */
export function countLimitInsuredCall(): void {
  metrics().limitInsuredCalls.inc();
}

/** Counts one request refused at the gateway's HTTP edge (lib/gateway/edge-refusals.ts). */
export function countEdgeRefusal(status: number, reason: string): void {
  metrics().edgeRefusals.inc({ status: String(status), reason });
}

/** Counts one call the policy set in shadow decided differently: `from` the active set's decision, `to` the shadow's. */
export function countShadowDisagreement(from: string, to: string): void {
  metrics().shadowDisagreements.inc({ from, to });
}

/** Every metric in Prometheus's text format, with the content type to serve it under. */
export async function metricsText(): Promise<{ contentType: string; body: string }> {
  const { registry } = metrics();
  return { contentType: registry.contentType, body: await registry.metrics() };
}

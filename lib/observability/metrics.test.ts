import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { BackendState } from "@/lib/gateway/backends";
import { quarantine } from "@/lib/audit/quarantine";
import { db } from "@/lib/db/prisma";
import { makeServer, makeTeam } from "@/test/factories";
import { metricsText, observeGatewayCall, readGatewayGaugesFrom } from "./metrics";

// The gauges read live process state; these stand in for a gateway with pooled backends and queued audit.
const live = vi.hoisted(() => ({ states: [] as BackendState[], depth: 0 }));
readGatewayGaugesFrom({ backendStates: () => live.states, auditQueueDepth: () => live.depth });
const countApprovals = vi.hoisted(() => vi.fn());
vi.mock("@/lib/tool-approvals/inbox", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/tool-approvals/inbox")>();
  countApprovals.mockImplementation(actual.pendingToolCallCounts);
  return { ...actual, pendingToolCallCounts: countApprovals };
});

const sample = (body: string, series: string) => body.split("\n").find((line) => line.startsWith(`${series} `))?.slice(series.length + 1);

describe("metrics", () => {
  it("count gateway calls and their duration by decision, every decision present from the start", async () => {
    const before = await metricsText();
    expect(before.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(before.body, 'toolgate_gateway_calls_total{decision="failed"}')).toBe("0");

    observeGatewayCall("allowed", 0.02);
    observeGatewayCall("allowed", 0.3);
    observeGatewayCall("refused", 0.002);
    const { body } = await metricsText();
    expect(sample(body, 'toolgate_gateway_calls_total{decision="allowed"}')).toBe("2");
    expect(sample(body, 'toolgate_gateway_calls_total{decision="refused"}')).toBe("1");
    expect(sample(body, 'toolgate_gateway_calls_total{decision="failed"}')).toBe("0");
    expect(sample(body, 'toolgate_gateway_call_duration_seconds_bucket{le="0.001",decision="refused"}')).toBe("0");
    expect(sample(body, 'toolgate_gateway_call_duration_seconds_bucket{le="0.0025",decision="refused"}')).toBe("1");
    expect(sample(body, 'toolgate_gateway_call_duration_seconds_bucket{le="60",decision="allowed"}')).toBe("2");
    expect(sample(body, 'toolgate_gateway_call_duration_seconds_count{decision="allowed"}')).toBe("2");
    expect(Number(sample(body, 'toolgate_gateway_call_duration_seconds_sum{decision="allowed"}'))).toBeCloseTo(0.32);
    // Node's own metrics, under the same prefix.
    expect(body).toContain("toolgate_process_cpu_user_seconds_total");
    expect(body).toContain("toolgate_nodejs_heap_size_used_bytes");
  });

  it("keep one registry per process even when the module is loaded again", async () => {
    vi.resetModules();
    const again = await import("./metrics");
    again.observeGatewayCall("failed", 1.5);
    expect(sample((await metricsText()).body, 'toolgate_gateway_calls_total{decision="failed"}')).toBe("1");
  });

  it("read breaker states and the audit queue depth when scraped", async () => {
    live.states = [
      { versionId: "v-closed", serverName: "com.example/files", state: "closed", sessions: 3 },
      { versionId: "v-half", serverName: "com.example/files", state: "half-open", sessions: 0 },
      { versionId: "v-open", serverName: "com.example/search", state: "open", sessions: 1 },
    ];
    live.depth = 7;
    let { body } = await metricsText();
    expect(sample(body, 'toolgate_backend_breaker_state{server="com.example/files",version="v-closed"}')).toBe("0");
    expect(sample(body, 'toolgate_backend_breaker_state{server="com.example/files",version="v-half"}')).toBe("1");
    expect(sample(body, 'toolgate_backend_breaker_state{server="com.example/search",version="v-open"}')).toBe("2");
    expect(sample(body, 'toolgate_backend_sessions{server="com.example/files",version="v-closed"}')).toBe("3");
    expect(sample(body, 'toolgate_backend_sessions{server="com.example/search",version="v-open"}')).toBe("1");
    expect(sample(body, "toolgate_audit_queue_depth")).toBe("7");

    live.states = [];
    live.depth = 0;
    ({ body } = await metricsText());
    expect(body).not.toContain("toolgate_backend_breaker_state{");
    expect(sample(body, "toolgate_audit_queue_depth")).toBe("0");
  });

  it("count pending, unexpired tool-call approvals, and report NaN rather than 0 when the count fails", async () => {
    expect(sample((await metricsText()).body, "toolgate_approvals_pending")).toBe("0");
    const team = await makeTeam();
    const server = await makeServer({ teamId: team.id });
    const agent = await db().agent.create({ data: { name: "metrics-agent", teamId: team.id, environment: "prod" } });
    const approval = (expiresAt: Date) => ({
      agentId: agent.id,
      serverId: server.id,
      versionId: server.versionIds[0]!,
      toolName: "read_record",
      argumentsHash: "0".repeat(64),
      arguments: {},
      riskReason: "High risk",
      correlationId: randomUUID(),
      expiresAt,
    });
    await db().toolCallApproval.createMany({ data: [approval(new Date(Date.now() + 3_600_000)), approval(new Date(Date.now() - 1_000))] });
    expect(sample((await metricsText()).body, "toolgate_approvals_pending")).toBe("1");

    const quiet = vi.spyOn(console, "error").mockImplementation(() => undefined);
    countApprovals.mockRejectedValueOnce(new Error("database unreachable"));
    expect(sample((await metricsText()).body, "toolgate_approvals_pending")).toBe("Nan");
    expect(quiet).toHaveBeenCalledWith(expect.stringContaining("database unreachable"));
    quiet.mockRestore();
  });

  it("count audit events set aside in the quarantine file", async () => {
    const before = Number(sample((await metricsText()).body, "toolgate_audit_quarantined_total"));
    const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-metrics-"));
    await quarantine([{ source: "queue", error: "refused", event: { reason: "a\u0000b" } }, { source: "spool", error: "not valid JSON", line: "{" }], path.join(dir, "q.jsonl"));
    expect(Number(sample((await metricsText()).body, "toolgate_audit_quarantined_total"))).toBe(before + 2);
    await rm(dir, { recursive: true, force: true });
  });
});

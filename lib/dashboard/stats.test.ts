import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { type AuditInput, recordAuditBatch } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { makeServer, makeTeam } from "@/test/factories";
import { dashboardStats } from "./stats";

const now = new Date("2026-03-10T12:00:00.000Z");
const minutesAgo = (minutes: number, from = now) => new Date(from.getTime() - minutes * 60_000);
const at = (time: string) => new Date(`2026-03-${time}:00.000Z`);

interface Call {
  minutesAgo: number;
  decision: "allowed" | "refused" | "failed";
  agent: string;
  server?: string;
  tool?: string;
  latencyMs: number;
  reason?: string;
  from?: Date;
  approvalId?: string;
  correlationId?: string;
  /** The user the agent acted for, as lib/gateway/audit-event.ts records it. */
  user?: { label: string; subject: string };
}

const outcomes = { allowed: "success", refused: "denied", failed: "failure" } as const;

// Shaped like the gateway's own audit events (lib/gateway/audit-queue.ts).
function toolCall(call: Call): AuditInput & { correlationId: string } {
  const details: Record<string, string | number> = { decision: call.decision, latencyMs: call.latencyMs, version: "1.0.0", argumentsHash: "0".repeat(64) };
  if (call.tool) details.tool = call.tool;
  if (call.server) details.serverName = call.server;
  if (call.approvalId) details.approvalId = call.approvalId;
  if (call.user) Object.assign(details, { onBehalfOf: call.user.label, userSubject: call.user.subject, userIssuer: "https://idp.example.com" });
  return {
    actor: { id: null, label: `agent:${call.agent}` },
    action: "gateway.tools/call",
    target: call.server ? { type: "server", id: randomUUID() } : { type: "gateway" },
    outcome: outcomes[call.decision],
    reason: call.reason ?? null,
    details,
    correlationId: call.correlationId ?? randomUUID(),
    occurredAt: minutesAgo(call.minutesAgo, call.from),
  };
}

const files = "com.example/files";
const search = "com.example/search";

beforeAll(async () => {
  await recordAuditBatch(db(), [
    // The last hour.
    toolCall({ minutesAgo: 2, decision: "allowed", agent: "alpha", server: files, tool: "read", latencyMs: 10 }),
    toolCall({ minutesAgo: 3, decision: "allowed", agent: "alpha", server: files, tool: "read", latencyMs: 20 }),
    toolCall({ minutesAgo: 8, decision: "failed", agent: "beta", server: files, tool: "write", latencyMs: 100, reason: "Backend timed out" }),
    toolCall({ minutesAgo: 20, decision: "refused", agent: "beta", server: files, tool: "write", latencyMs: 1, reason: "rate limit: at most 5 calls per second for this agent; retry in 200ms" }),
    toolCall({ minutesAgo: 21, decision: "refused", agent: "gamma", server: files, tool: "write", latencyMs: 2, reason: "rate limit: at most 5 calls per second for this agent; retry in 12ms" }),
    toolCall({ minutesAgo: 30, decision: "refused", agent: "gamma", latencyMs: 0, reason: "no such tool: com_example_files__wirte" }),
    toolCall({ minutesAgo: 50, decision: "allowed", agent: "alpha", server: search, tool: "query", latencyMs: 30 }),
    // Earlier today, earlier this week, and after the range ends.
    toolCall({ minutesAgo: 70, decision: "allowed", agent: "delta", server: files, tool: "read", latencyMs: 5000 }),
    toolCall({ minutesAgo: 25 * 60, decision: "allowed", agent: "delta", server: files, tool: "read", latencyMs: 5000 }),
    toolCall({ minutesAgo: -5, decision: "allowed", agent: "alpha", server: files, tool: "read", latencyMs: 5000 }),
  ]);
  // Not a gateway call: never counted.
  await recordAuditBatch(db(), [
    { actor: { label: "ada@example.com" }, action: "user.create", target: { type: "user" }, outcome: "success", correlationId: "c-user", occurredAt: minutesAgo(10) },
  ]);
});

describe("dashboard stats", () => {
  it("count the last hour's calls by decision, with success rate and latency percentiles of calls that reached a backend", async () => {
    const stats = await dashboardStats("hour", now);
    expect(stats.summary).toEqual({
      calls: 7,
      allowed: 3,
      refused: 3,
      failed: 1,
      p50LatencyMs: 25,
      p95LatencyMs: expect.closeTo(89.5, 6),
      approvalWaits: 0,
      p50ApprovalWaitMs: null,
      p95ApprovalWaitMs: null,
    });
    expect(stats.successRate).toBeCloseTo(3 / 7);
    expect(stats.from).toEqual(minutesAgo(60));
  });

  it("split the hour into 5-minute buckets, empty ones zero", async () => {
    const { overTime } = await dashboardStats("hour", now);
    expect(overTime).toHaveLength(12);
    expect(overTime[0]!.start).toEqual(at("10T11:00"));
    expect(overTime.at(-1)!.start).toEqual(at("10T11:55"));
    const nonEmpty = overTime.filter((b) => b.allowed + b.refused + b.failed > 0);
    expect(nonEmpty).toEqual([
      { start: at("10T11:10"), allowed: 1, refused: 0, failed: 0 },
      { start: at("10T11:30"), allowed: 0, refused: 1, failed: 0 },
      { start: at("10T11:35"), allowed: 0, refused: 1, failed: 0 },
      { start: at("10T11:40"), allowed: 0, refused: 1, failed: 0 },
      { start: at("10T11:50"), allowed: 0, refused: 0, failed: 1 },
      { start: at("10T11:55"), allowed: 2, refused: 0, failed: 0 },
    ]);
  });

  it("rank refusals by kind of reason, agents and tools by calls", async () => {
    const stats = await dashboardStats("hour", now);
    expect(stats.refusals).toEqual([
      { kind: "rate_limit", label: "Rate limit", calls: 2 },
      { kind: "unknown_tool", label: "Unknown tool", calls: 1 },
    ]);
    expect(stats.agents).toEqual([
      { agent: "alpha", calls: 3, allowed: 3, refused: 0, failed: 0 },
      { agent: "beta", calls: 2, allowed: 0, refused: 1, failed: 1 },
      { agent: "gamma", calls: 2, allowed: 0, refused: 2, failed: 0 },
    ]);
    // The call refused before it named a tool has no tool to count.
    expect(stats.tools).toEqual([
      { server: files, tool: "write", calls: 3, allowed: 0, refused: 2, failed: 1 },
      { server: files, tool: "read", calls: 2, allowed: 2, refused: 0, failed: 0 },
      { server: search, tool: "query", calls: 1, allowed: 1, refused: 0, failed: 0 },
    ]);
  });

  it("widen with the range: hourly buckets for a day, 6-hour buckets for a week", async () => {
    const day = await dashboardStats("day", now);
    expect(day.summary.calls).toBe(8);
    expect(day.overTime).toHaveLength(24);
    expect(day.overTime[0]!.start).toEqual(at("09T12:00"));
    expect(day.overTime.find((b) => b.start.getTime() === at("10T10:00").getTime())).toMatchObject({ allowed: 1 });
    expect(day.overTime.at(-1)).toMatchObject({ start: at("10T11:00"), allowed: 3, refused: 3, failed: 1 });
    expect(day.agents.map((a) => a.agent)).toEqual(["alpha", "beta", "gamma", "delta"]);

    const week = await dashboardStats("week", now);
    expect(week.summary.calls).toBe(9);
    expect(week.overTime).toHaveLength(28);
    expect(week.overTime[0]!.start).toEqual(at("03T12:00"));
    expect(week.overTime.reduce((sum, b) => sum + b.allowed + b.refused + b.failed, 0)).toBe(9);
  });

  it("show nothing, not errors, for a range without calls", async () => {
    const stats = await dashboardStats("hour", new Date("2026-01-01T00:02:00.000Z"));
    expect(stats.summary).toEqual({
      calls: 0,
      allowed: 0,
      refused: 0,
      failed: 0,
      p50LatencyMs: null,
      p95LatencyMs: null,
      approvalWaits: 0,
      p50ApprovalWaitMs: null,
      p95ApprovalWaitMs: null,
    });
    expect(stats.successRate).toBeNull();
    expect(stats.overTime).toHaveLength(13);
    expect(stats.overTime.every((b) => b.allowed + b.refused + b.failed === 0)).toBe(true);
    expect([stats.refusals, stats.agents, stats.tools]).toEqual([[], [], []]);
  });

  it("keep only the top 8 refusal kinds and the top 5 agents and tools", async () => {
    const later = new Date("2026-05-01T12:00:00.000Z");
    // Ten kinds, each with a sentence of its own: the kind counts, not the sentence.
    const reasons = [
      "this agent is disabled",
      "The call was denied by ada@example.com: no (approval request 9b1c)",
      "Approval request 9b1c expired without a decision; call again to ask for a new approval.",
      "quota: at most 10 calls per day for this agent are used up; retry in 3h",
      "tool t of server s is not certified",
      "tool t of server s is not promoted to prod",
      "tool t of server s is blocked: definition drift since certification",
      "tool t of server s is not granted to this agent",
      "tool t of server s was stopped by a kill switch: Breach at vendor",
      "missing required argument 'path'",
    ];
    await recordAuditBatch(
      db(),
      Array.from({ length: 10 }, (_, n) =>
        Array.from({ length: n + 1 }, () =>
          toolCall({ minutesAgo: 5, from: later, decision: "refused", agent: `agent-${n}`, server: files, tool: `tool-${n}`, latencyMs: 1, reason: reasons[n] }),
        ),
      ).flat(),
    );
    const stats = await dashboardStats("hour", later);
    expect(stats.refusals.map((r) => r.kind)).toEqual(["invalid_arguments", "kill_switch", "not_granted", "drift", "not_promoted", "not_certified", "quota", "approval_missing"]);
    expect(stats.agents.map((a) => [a.agent, a.calls])).toEqual([["agent-9", 10], ["agent-8", 9], ["agent-7", 8], ["agent-6", 7], ["agent-5", 6]]);
    expect(stats.tools.map((t) => t.tool)).toEqual(["tool-9", "tool-8", "tool-7", "tool-6", "tool-5"]);
    expect(stats.summary).toMatchObject({ calls: 55, refused: 55, p50LatencyMs: null });
  });
});

describe("dashboard top callers with users", () => {
  it("list each user an agent acted for apart from the agent's own calls, as user X via agent Y", async () => {
    const later = new Date("2026-07-01T12:00:00.000Z");
    const ada = { label: "Ada Lovelace", subject: "user-ada" };
    // Two users with the same display name are told apart by subject.
    const otherAda = { label: "Ada Lovelace", subject: "user-ada-2" };
    await recordAuditBatch(db(), [
      ...Array.from({ length: 3 }, () => toolCall({ minutesAgo: 5, from: later, decision: "allowed", agent: "helper", user: ada, latencyMs: 1 })),
      toolCall({ minutesAgo: 6, from: later, decision: "refused", agent: "helper", user: otherAda, latencyMs: 1, reason: "rate limit" }),
      ...Array.from({ length: 2 }, () => toolCall({ minutesAgo: 7, from: later, decision: "allowed", agent: "helper", latencyMs: 1 })),
    ]);
    const stats = await dashboardStats("hour", later);
    expect(stats.agents).toEqual([
      { agent: "user Ada Lovelace via agent helper", calls: 3, allowed: 3, refused: 0, failed: 0 },
      { agent: "helper", calls: 2, allowed: 2, refused: 0, failed: 0 },
      { agent: "user Ada Lovelace via agent helper", calls: 1, allowed: 0, refused: 1, failed: 0 },
    ]);
  });
});

describe("dashboard counts of open work", () => {
  it("count pending, unexpired approvals (and the escalated ones) and open drift incidents (and those new in the range)", async () => {
    const team = await makeTeam();
    const server = await makeServer({ teamId: team.id });
    const versionId = server.versionIds[0]!;
    const agent = await db().agent.create({ data: { name: "approvals-agent", teamId: team.id, environment: "prod" } });
    const approval = (status: "pending" | "approved", expiresAt: Date, escalatedAt: Date | null = null) => ({
      agentId: agent.id,
      serverId: server.id,
      versionId,
      toolName: "read_record",
      argumentsHash: "0".repeat(64),
      arguments: {},
      riskReason: "High risk",
      correlationId: randomUUID(),
      status,
      expiresAt,
      escalatedAt,
    });
    const inAnHour = minutesAgo(-60);
    await db().toolCallApproval.createMany({
      data: [
        approval("pending", inAnHour),
        approval("pending", inAnHour, minutesAgo(5)),
        approval("pending", minutesAgo(1), minutesAgo(30)),
        approval("approved", inAnHour),
      ],
    });
    // At most one open incident per tool, so each gets its own.
    const incident = (toolName: string, detectedAt: Date, resolvedAt: Date | null = null) => ({
      serverId: server.id,
      versionId,
      toolName,
      pinnedHash: "a".repeat(64),
      liveHash: "b".repeat(64),
      detectedAt,
      resolvedAt,
    });
    await db().driftIncident.createMany({
      data: [incident("a", minutesAgo(30)), incident("b", minutesAgo(3 * 24 * 60)), incident("a", minutesAgo(40), minutesAgo(20))],
    });

    const stats = await dashboardStats("day", now);
    expect(stats.approvals).toEqual({ pending: 2, toolCalls: 2, agentStoppedWaiting: 2, escalated: 1, promotions: 0, grants: 0 });

    // The inbox shows waiting promotions and access grants too; decided ones are not waiting.
    const plan = { rolloutPlan: "All at once.", rollbackPlan: "Re-pin.", killSwitchPlan: "Server switch.", sunsetDays: 7 };
    await db().promotion.createMany({
      data: [
        { versionId, environment: "prod", ...plan },
        { versionId, environment: "prod", ...plan, status: "denied", decidedAt: minutesAgo(1) },
      ],
    });
    await db().grant.createMany({ data: [{ agentId: agent.id, serverId: server.id, status: "pending" }, { agentId: agent.id, serverId: server.id, status: "denied" }] });
    expect((await dashboardStats("day", now)).approvals).toEqual({ pending: 4, toolCalls: 2, agentStoppedWaiting: 2, escalated: 1, promotions: 1, grants: 1 });
    expect(stats.drift).toEqual({ open: 2, detectedInRange: 2 });
  });
});

describe("approval waits", () => {
  it("are kept out of gateway latency and shown apart, for the calls that opened the request they waited for", async () => {
    const end = new Date("2026-06-01T12:00:00.000Z");
    const secondsBefore = (seconds: number) => new Date(end.getTime() - seconds * 1000);
    const team = await makeTeam();
    const server = await makeServer({ teamId: team.id });
    const agent = await db().agent.create({ data: { name: "waiting-agent", teamId: team.id, environment: "prod" } });
    const [waited, given, unfinished] = [randomUUID(), randomUUID(), randomUUID()];
    const request = (correlationId: string, times: { createdAt: Date; decidedAt?: Date; usedAt?: Date }, status: "used" | "pending" = "used") =>
      db().toolCallApproval.create({
        data: {
          agentId: agent.id,
          serverId: server.id,
          versionId: server.versionIds[0]!,
          toolName: "write",
          argumentsHash: "0".repeat(64),
          arguments: {},
          riskReason: "High risk",
          correlationId,
          status,
          expiresAt: secondsBefore(-600),
          ...times,
        },
      });
    // Opened by its call, decided 8 s later, used half a second after that: 8.5 s of the call's 12 s.
    const opened = await request(waited, { createdAt: secondsBefore(11), decidedAt: secondsBefore(3), usedAt: secondsBefore(2.5) });
    // Approved before the call that used it: that call did not wait.
    const ready = await request(randomUUID(), { createdAt: secondsBefore(900), decidedAt: secondsBefore(800), usedAt: secondsBefore(1) });
    // Still undecided when the call gave up after 20 s: the whole call was a wait.
    const open = await request(unfinished, { createdAt: secondsBefore(25) }, "pending");
    const at = { minutesAgo: 0, from: end, agent: "waiting-agent", server: files, tool: "write" };
    await recordAuditBatch(db(), [
      toolCall({ ...at, decision: "allowed", latencyMs: 12_000, approvalId: opened.id, correlationId: waited }),
      toolCall({ ...at, decision: "allowed", latencyMs: 40, approvalId: ready.id, correlationId: given }),
      toolCall({ ...at, decision: "refused", latencyMs: 20_000, approvalId: open.id, correlationId: unfinished, reason: `Approval request ${open.id} is still waiting for a person.` }),
      toolCall({ ...at, decision: "allowed", latencyMs: 20 }),
    ]);

    const { summary, refusals } = await dashboardStats("hour", new Date(end.getTime() + 1000));
    expect(summary).toMatchObject({ calls: 4, allowed: 3, refused: 1, approvalWaits: 2 });
    // Gateway latency of the allowed calls: 3500, 40 and 20 ms.
    expect(summary.p50LatencyMs).toBeCloseTo(40, 3);
    expect(summary.p95LatencyMs).toBeCloseTo(3500 - 0.1 * (3500 - 40), 3);
    // Waits: 8500 ms and (capped by the call's own 20 s) 20000 ms.
    expect(summary.p50ApprovalWaitMs).toBeCloseTo((8500 + 20_000) / 2, 3);
    expect(summary.p95ApprovalWaitMs).toBeCloseTo(8500 + 0.95 * (20_000 - 8500), 3);
    expect(refusals).toEqual([{ kind: "approval_missing", label: "Approval not given in time", calls: 1 }]);
  });
});

import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { isListening, startListener } from "@/lib/db/listener";
import { makeUser } from "@/test/factories";
import { connectLegacy, connectModern, type GatewayClient, ModernClient } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { approvalPollMs, listenForApprovalDecisions } from "./approval-wakeups";

// Decisions wake waiting calls through LISTEN/NOTIFY (decision 040). Every decision here is made on a
// separate connection, as an approver on another instance would make it: only the database's
// notification can wake the call so soon (the safety-net poll is 5 s while listening).

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let approverId: string;
let other: pg.Client;
let stopListening: () => Promise<void>;
const tool = "com.example_swake__delete_record";

async function setWait(seconds: number) {
  await db().setting.upsert({ where: { key: "approvals.waitSeconds" }, create: { key: "approvals.waitSeconds", value: seconds }, update: { value: seconds } });
}

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ agentId, key } = await governFixtureServer(fixture.url, { name: "com.example/wake", riskTier: "high", approvalTools: ["delete_record"] }));
  approverId = (await makeUser(["approver"])).id;
  gateway = await startGatewayServer();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  listenForApprovalDecisions();
  stopListening = await startListener();
  await setWait(20);
});

afterAll(async () => {
  await stopListening();
  await other.end();
  await closeGatewayTest(gateway, fixture);
});

const headers = () => ({ Authorization: `Bearer ${key}` });

function callDelete(client: GatewayClient, id: string, onprogress?: (progress: { progress: number; message?: string }) => void) {
  const options = { onprogress, timeout: 60_000, resetTimeoutOnProgress: true };
  const params = { name: tool, arguments: { id } };
  return client instanceof ModernClient ? client.callTool(params, options) : client.callTool(params, undefined, options);
}

async function pendingRequest(id: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await db().toolCallApproval.findFirst({ where: { agentId, status: "pending", arguments: { path: ["id"], equals: id } }, select: { id: true } });
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`No pending approval request for id ${id}.`);
}

/** Decides on the other connection; resolves with when the decision was committed. */
async function decide(requestId: string, decision: "approved" | "denied"): Promise<number> {
  await other.query(
    `UPDATE tool_call_approvals SET status = $2, decided_by_id = $3, decided_at = now(), decision_reason = 'From instance B', valid_until = now() + interval '5 minutes' WHERE id = $1`,
    [requestId, decision, approverId],
  );
  return Date.now();
}

/** How long after the decision the call settled (resolved or rejected). */
async function settledAfter(call: Promise<unknown>, decided: Promise<number>): Promise<number> {
  await call.catch(() => undefined);
  return Date.now() - (await decided);
}

describe.each([
  ["2025-11-25", () => connectLegacy(gateway.url, headers())],
  ["2026-07-28", () => connectModern(gateway.url, headers())],
])("a waiting call over MCP %s, decided on another connection", (era, connect) => {
  it("returns within ~200 ms of an approval, and of a denial", async () => {
    expect(isListening()).toBe(true);
    expect(approvalPollMs()).toBe(5_000);
    const client = await connect();
    for (const decision of ["approved", "denied"] as const) {
      const id = `${decision}-${era}`;
      const call = callDelete(client, id);
      const requestId = await pendingRequest(id);
      // Past the first read of the request, so only a wake-up (or the 5 s poll) can see the decision.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const latency = await settledAfter(call, decide(requestId, decision));
      expect(latency).toBeLessThan(250);
      if (decision === "approved") expect((await call).isError ?? false).toBe(false);
      else await expect(call).rejects.toThrow(/denied by .*From instance B/);
    }
    await client.close();
  }, 30_000);
});

describe("the wait itself", () => {
  it("keeps its budget and progress messages while listening", async () => {
    await setWait(3);
    const client = await connectLegacy(gateway.url, headers());
    const progress: string[] = [];
    const started = Date.now();
    const result = await callDelete(client, "budget", (update) => progress.push(update.message ?? ""));
    const took = Date.now() - started;
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain("is still waiting for a person");
    expect(took).toBeGreaterThanOrEqual(3_000);
    expect(took).toBeLessThan(4_500);
    // At 0 s and 2 s, as before the listener.
    expect(progress).toHaveLength(2);
    expect(progress[1]).toMatch(/\(1 s left\)/);
    await client.close();
    await setWait(20);
  }, 30_000);

  it("while the listener is down, polls at the old pace and still sees a decision", async () => {
    await stopListening();
    expect(isListening()).toBe(false);
    expect(approvalPollMs()).toBe(500);
    try {
      const client = await connectLegacy(gateway.url, headers());
      const call = callDelete(client, "unlistened");
      const requestId = await pendingRequest("unlistened");
      const latency = await settledAfter(call, decide(requestId, "denied"));
      expect(latency).toBeLessThan(1_000);
      await expect(call).rejects.toThrow(/From instance B/);
      await client.close();
    } finally {
      stopListening = await startListener();
    }
    expect(isListening()).toBe(true);
  }, 30_000);
});

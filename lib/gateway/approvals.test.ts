import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { exportAuditTrail } from "@/lib/audit-trail/export";
import { decideToolCall } from "@/lib/tool-approvals/decisions";
import { byAgentWait, pendingToolCallRequests, toolCallRequestHistory } from "@/lib/tool-approvals/inbox";
import { expireAndEscalateApprovals } from "@/lib/tool-approvals/maintenance";
import { maskedValue } from "@/lib/tool-approvals/masking";
import { makeUser } from "@/test/factories";
import { connectLegacy, connectModern, type GatewayClient, ModernClient, negotiatedVersion } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey, grant } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { governFixtureServer } from "@/test/governed-server";

// Runtime approvals through the real gateway and the fixture backend: a call to delete_record (marked
// by the reviewer as needing approval) waits for a person.

// A tool rate low enough that a burst of calls meets it (read once, at the gateway's first call).
const toolRatePerSecond = 30;
process.env.TOOLGATE_RATE_TOOL_PER_SECOND = String(toolRatePerSecond);

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let serverId: string;
let owner: Awaited<ReturnType<typeof makeUser>>;
let agentCreator: Awaited<ReturnType<typeof makeUser>>;
let approver: Awaited<ReturnType<typeof makeUser>>;
const tool = "com.example_sledger__delete_record";

async function setWait(seconds: number) {
  await db().setting.upsert({ where: { key: "approvals.waitSeconds" }, create: { key: "approvals.waitSeconds", value: seconds }, update: { value: seconds } });
}

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ serverId, agentId, key, owner } = await governFixtureServer(fixture.url, {
    name: "com.example/ledger",
    ownerRoles: ["owner", "approver"],
    // The owner's own sensitive fields for this server, on top of the policy's.
    sensitiveFields: ["accountNumber", "customer.email"],
    riskTier: "high",
    approvalTools: ["delete_record"],
  }));
  agentCreator = await makeUser(["approver"]);
  await db().agent.update({ where: { id: agentId }, data: { createdById: agentCreator.id } });
  approver = await makeUser(["approver"]);
  gateway = await startGatewayServer();
});

beforeEach(() => setWait(20));

afterAll(() => closeGatewayTest(gateway, fixture));

const headers = () => ({ Authorization: `Bearer ${key}` });

const legacyClient = () => connectLegacy(gateway.url, headers());
const modernClient = () => connectModern(gateway.url, headers());

function callDelete(client: GatewayClient, id: string, onprogress?: (progress: { progress: number; message?: string }) => void, signal?: AbortSignal) {
  const options = { onprogress, timeout: 60_000, resetTimeoutOnProgress: true, signal };
  const params = { name: tool, arguments: { id } };
  return client instanceof ModernClient ? client.callTool(params, options) : client.callTool(params, undefined, options);
}

const deletesSeen = (id: string) => fixture.received.filter((r) => r.toolCall?.name === "delete_record" && JSON.stringify(r.toolCall.arguments) === JSON.stringify({ id })).length;

async function pendingRequest(id: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const found = await db().toolCallApproval.findFirst({ where: { agentId, status: "pending", arguments: { path: ["id"], equals: id } }, select: { id: true } });
    if (found) return found.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`No pending approval request for id ${id}.`);
}

/** With a one-second wait, a legacy client's delete_record call for this id, answered "still waiting", and the request it opened. */
async function waitingCall(id: string) {
  await setWait(1);
  const client = await legacyClient();
  await callDelete(client, id);
  return { client, requestId: await pendingRequest(id) };
}

const textOf = (result: object) => JSON.stringify((result as { content?: unknown }).content);

describe.each([
  ["2025-11-25", "(sessions)", legacyClient],
  ["2026-07-28", "(stateless)", modernClient],
])("a call that needs approval, over MCP %s %s", (era, _shape, connect) => {
  it("waits with progress notifications; approved in time, it is forwarded and the backend's result returned", async () => {
    const client = await connect();
    expect(negotiatedVersion(client)).toBe(era);
    const id = `approved-${era.slice(0, 4)}`;
    const progress: string[] = [];
    const call = callDelete(client, id, (update) => progress.push(update.message ?? ""));
    const requestId = await pendingRequest(id);
    await expect.poll(() => progress.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(progress[0]).toContain(requestId);
    expect(deletesSeen(id)).toBe(0);
    await decideToolCall(approver, { requestId, decision: "approve" });
    const result = await call;
    expect(result.isError ?? false).toBe(false);
    expect(deletesSeen(id)).toBe(1);
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("used");
    await client.close();
  }, 30_000);

  it("denied, the call fails with the approver's reason and never reaches the backend", async () => {
    const client = await connect();
    const id = `denied-${era.slice(0, 4)}`;
    const call = callDelete(client, id);
    const requestId = await pendingRequest(id);
    await decideToolCall(approver, { requestId, decision: "deny", reason: "Not during the audit." });
    await expect(call).rejects.toThrow(new RegExp(`denied by ${approver.email}: Not during the audit\\. \\(approval request ${requestId}\\)`));
    expect(deletesSeen(id)).toBe(0);
    await client.close();
  }, 30_000);

  it("timed out, the call names the request; approved afterwards, the same call proceeds once, then needs a new approval", async () => {
    await setWait(1);
    const client = await connect();
    const id = `later-${era.slice(0, 4)}`;
    const first = await callDelete(client, id);
    expect(first.isError).toBe(true);
    const requestId = await pendingRequest(id);
    expect(textOf(first)).toContain(`Approval request ${requestId} is still waiting`);
    await decideToolCall(approver, { requestId, decision: "approve" });
    const second = await callDelete(client, id);
    expect(second.isError ?? false).toBe(false);
    expect(deletesSeen(id)).toBe(1);
    const replay = await callDelete(client, id);
    expect(replay.isError).toBe(true);
    expect(textOf(replay)).not.toContain(requestId);
    expect(deletesSeen(id)).toBe(1);
    await client.close();
  }, 30_000);

  it("records until when the agent waits: a timed-out call stopped waiting, a repeat waits again, a cancelled one stops at once", async () => {
    const client = await connect();
    const id = `waits-${era.slice(0, 4)}`;
    const waitsUntil = async (requestId: string) => (await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).agentWaitsUntil!.getTime();
    const inbox = async () => {
      const { agentWaiting, agentStopped } = byAgentWait(await pendingToolCallRequests(), new Date());
      return { agentWaiting: agentWaiting.map((request) => request.id), agentStopped: agentStopped.map((request) => request.id) };
    };
    await setWait(1);
    const started = Date.now();
    expect((await callDelete(client, id)).isError).toBe(true);
    const requestId = await pendingRequest(id);
    expect(await waitsUntil(requestId)).toBeGreaterThanOrEqual(started + 1000);
    expect(await waitsUntil(requestId)).toBeLessThanOrEqual(Date.now());
    expect((await inbox()).agentStopped).toContain(requestId);

    await setWait(20);
    const cancel = new AbortController();
    const repeat = callDelete(client, id, undefined, cancel.signal).catch((error: unknown) => error);
    await expect.poll(() => waitsUntil(requestId), { timeout: 10_000 }).toBeGreaterThan(Date.now() + 10_000);
    expect((await inbox()).agentWaiting).toContain(requestId);
    cancel.abort();
    await repeat;
    // A 2025-era client cancels with notifications/cancelled, a 2026-07-28 one by closing its request: both end the wait.
    await expect.poll(async () => (await waitsUntil(requestId)) <= Date.now(), { timeout: 10_000 }).toBe(true);
    expect((await inbox()).agentStopped).toContain(requestId);
    // Still open: approved now, the agent's next identical call would go through (decision 023). Denied here, so the cap tests start clean.
    await decideToolCall(approver, { requestId, decision: "deny", reason: "Test over." });
    await client.close();
  }, 30_000);
});

describe.each([
  ["2025-11-25", connectLegacy],
  ["2026-07-28", connectModern],
])("a burst of calls that need approval, over MCP %s", (era, connect) => {
  it("opens at most the per-agent cap of requests; the rate limit applies before a request opens; every refusal is said and audited", async () => {
    await setWait(1);
    const burst = await agentWithKey("prod");
    await grant(burst.agentId, serverId);
    const client = await connect(gateway.url, { Authorization: `Bearer ${burst.key}` });
    expect(negotiatedVersion(client)).toBe(era);
    const ids = Array.from({ length: 50 }, (_, index) => `burst-${era.slice(0, 4)}-${index}`);
    const outcomes = await Promise.all(ids.map((id) => callDelete(client, id).then(textOf, (error: Error) => error.message)));

    const opened = await db().toolCallApproval.findMany({ where: { agentId: burst.agentId }, select: { arguments: true, status: true } });
    expect(opened).toHaveLength(10);
    expect(opened.every((request) => request.status === "pending")).toBe(true);
    const rateLimited = ids.filter((_, index) => outcomes[index]!.includes(`rate limit: at most ${toolRatePerSecond} calls per second to tool`));
    const capped = ids.filter((_, index) => outcomes[index]!.includes("already has 10 approval requests waiting"));
    expect(rateLimited.length).toBeGreaterThan(0);
    expect(capped.length).toBeGreaterThan(0);
    expect(rateLimited.length + capped.length).toBe(40);
    // A call the rate limit refused opened no request.
    const openedIds = new Set(opened.map((request) => (request.arguments as { id: string }).id));
    expect(rateLimited.filter((id) => openedIds.has(id))).toEqual([]);
    expect(deletesSeen(ids[0]!)).toBe(0);

    await flushGatewayAudit();
    const refusals = await db().auditEvent.findMany({ where: { action: "gateway.tools/call", actorId: burst.agentId, outcome: "denied" }, select: { reason: true } });
    expect(refusals.filter((event) => event.reason?.includes("already has 10 approval requests waiting"))).toHaveLength(capped.length);
    expect(refusals.filter((event) => event.reason?.startsWith("rate limit:"))).toHaveLength(rateLimited.length);
    await client.close();
  }, 30_000);
});

describe("approvals bound to one call", () => {
  it("an approval for other arguments does not apply", async () => {
    const { client, requestId } = await waitingCall("only-this");
    await decideToolCall(approver, { requestId, decision: "approve" });
    const other = await callDelete(client, "another");
    expect(other.isError).toBe(true);
    expect(textOf(other)).toMatch(/still waiting/);
    expect(deletesSeen("another")).toBe(0);
    await client.close();
  }, 30_000);

  it("arguments with characters the database refuses still open a request, shown with those characters replaced", async () => {
    await setWait(1);
    const client = await legacyClient();
    const result = await callDelete(client, "nul\u0000id\u001b");
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/still waiting/);
    const requestId = await pendingRequest("nul\uFFFDid\uFFFD");
    expect(requestId).toBeTruthy();
    await client.close();
  }, 30_000);

  it("an approval not used in time expires, and so does a request nobody decides", async () => {
    const { client, requestId } = await waitingCall("stale");
    await decideToolCall(approver, { requestId, decision: "approve" });
    await db().toolCallApproval.update({ where: { id: requestId }, data: { validUntil: new Date(Date.now() - 1000) } });
    const late = await callDelete(client, "stale");
    expect(late.isError).toBe(true);
    expect(deletesSeen("stale")).toBe(0);
    const undecided = await pendingRequest("stale");
    await db().toolCallApproval.update({ where: { id: undecided }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(decideToolCall(approver, { requestId: undecided, decision: "approve" })).rejects.toThrow(/has expired; nothing was changed/);
    await expireAndEscalateApprovals();
    const statuses = await db().toolCallApproval.findMany({ where: { id: { in: [requestId, undecided] } }, select: { status: true } });
    expect(statuses.map((s) => s.status)).toEqual(["expired", "expired"]);
    await client.close();
  }, 30_000);

  it("masks the fields data handling marks sensitive in what approvers see", async () => {
    await setWait(1);
    const client = await legacyClient();
    await client.callTool({ name: tool, arguments: { id: "masked", password: "hunter2", nested: { apiKey: "k-1" } } });
    const request = await db().toolCallApproval.findFirstOrThrow({ where: { agentId, arguments: { path: ["id"], equals: "masked" } } });
    expect(request.arguments).toEqual({ id: "masked", password: maskedValue, nested: { apiKey: maskedValue } });
    expect(request.riskReason).toMatch(/reviewer marked delete_record/);
    await client.close();
  }, 30_000);

  it("masks the fields the server's owner registered, besides the policy's, wherever the arguments are shown or exported", async () => {
    await setWait(1);
    const client = await legacyClient();
    const secrets = { accountNumber: "DE44-5001", email: "ann@example.com", note: "note-7731", password: "pw-9912" };
    const args = { id: "owner-masked", accountNumber: secrets.accountNumber, customer: { email: secrets.email, name: "Ann" }, email: "public@example.com", note: secrets.note, password: secrets.password };
    const progress: string[] = [];
    const result = await client.callTool({ name: tool, arguments: args }, undefined, { onprogress: (update) => void progress.push(update.message ?? "") });
    await client.close();
    const masked = { id: "owner-masked", accountNumber: maskedValue, customer: { email: maskedValue, name: "Ann" }, email: "public@example.com", password: maskedValue };

    // The stored copy: the owner's fields (a name at any depth, a dotted path where it leads) and the policy's.
    const stored = await db().toolCallApproval.findFirstOrThrow({ where: { agentId, arguments: { path: ["id"], equals: "owner-masked" } } });
    expect(stored.arguments).toEqual({ ...masked, note: secrets.note });

    // The inbox masks with the fields in force when it is read: a field the owner adds later is hidden too.
    await db().server.update({ where: { id: serverId }, data: { sensitiveFields: ["accountNumber", "customer.email", "NOTE"] } });
    const pending = (await pendingToolCallRequests()).find((request) => request.id === stored.id)!;
    expect(pending.arguments).toEqual({ ...masked, note: maskedValue });
    await decideToolCall(approver, { requestId: stored.id, decision: "deny", reason: "No." });
    const decided = (await toolCallRequestHistory({ status: "denied" })).find((request) => request.id === stored.id)!;
    expect(decided.arguments).toEqual({ ...masked, note: maskedValue });

    // What the agent is told, the progress notifications and the audit export carry no argument values.
    const exported = await exportAuditTrail(approver, { format: "jsonl" });
    const told = [textOf(result), ...progress, await new Response(exported.body).text()].join("\n");
    expect(progress.length).toBeGreaterThan(0);
    expect(told).toContain(stored.argumentsHash);
    for (const secret of Object.values(secrets)) expect(told).not.toContain(secret);
  }, 30_000);

  it("escalates a request undecided for longer than the policy's delay", async () => {
    const { client, requestId } = await waitingCall("slow");
    await db().toolCallApproval.update({ where: { id: requestId }, data: { createdAt: new Date(Date.now() - 11 * 60_000) } });
    await expireAndEscalateApprovals();
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).escalatedAt).not.toBeNull();
    await client.close();
  }, 30_000);
});

describe("deciding: separation of duties and bad input", () => {
  let requestId: string;
  beforeAll(async () => {
    const waiting = await waitingCall("sod");
    requestId = waiting.requestId;
    await waiting.client.close();
  });

  it("nobody decides a call their own agent raised or a call to a server they own; other roles may not decide", async () => {
    await expect(decideToolCall(agentCreator, { requestId, decision: "approve" })).rejects.toThrow(/raised by an agent you created/);
    await expect(decideToolCall(owner, { requestId, decision: "approve" })).rejects.toThrow(/you own this server/);
    await expect(decideToolCall(await makeUser(["reviewer"]), { requestId, decision: "approve" })).rejects.toThrow(/not allowed/);
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("pending");
  });

  it("refuses a deny without reason, forged ids and a second decision, changing nothing", async () => {
    await expect(decideToolCall(approver, { requestId, decision: "deny", reason: "  " })).rejects.toThrow(/Say why the call is denied/);
    await expect(decideToolCall(approver, { requestId: "not-an-id", decision: "approve" })).rejects.toThrow(/not an approval request id/);
    await expect(decideToolCall(approver, { requestId: crypto.randomUUID(), decision: "approve" })).rejects.toThrow(/There is no approval request/);
    await expect(decideToolCall(approver, { requestId, decision: "maybe" })).rejects.toThrow(/approve or deny/);
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("pending");
    await decideToolCall(approver, { requestId, decision: "deny", reason: "No." });
    await expect(decideToolCall(approver, { requestId, decision: "approve" })).rejects.toThrow(/already denied; nothing was changed/);
    expect((await db().toolCallApproval.findUniqueOrThrow({ where: { id: requestId } })).status).toBe("denied");
  });

  it("audits the request, the decision and the calls, linked by the request id", async () => {
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { targetId: requestId } });
    expect(events.map((e) => e.action).sort()).toEqual(expect.arrayContaining(["toolcall.approval_request", "toolcall.deny"]));
    const calls = await db().auditEvent.findMany({ where: { action: "gateway.tools/call", details: { path: ["approvalId"], equals: requestId } } });
    expect(calls.length).toBeGreaterThan(0);
  });
});

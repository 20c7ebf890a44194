import pg from "pg";
import { ElicitRequestSchema, ElicitResultSchema, LATEST_PROTOCOL_VERSION, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { connectLegacy, LegacyClient } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey, grant } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";
import { startResolutionInvalidation } from "./invalidation";
import { settledListChanges } from "./list-changes";
import { forgetLegacySessionsForTests, holdsLegacySession, recheckLegacySessions } from "./legacy";
import { instanceTag } from "./instance-tag";
import { deleteForwardedMessages, forwardedFromElsewhere, forwardedMessageTtlMs, readKeptMessage, sessionMessagesChannel } from "./session-messages";
import { deleteIdleGatewaySessions, sessionIdleMs } from "./session-store";

// 2025-era sessions shared through PostgreSQL (decision 038). Two gateway instances in one process would share
// their singletons, so the other instance is played by this one after it forgot its sessions
// (forgetLegacySessionsForTests: memory copies gone, rows kept): the next request must re-create the session from
// its row, as an instance behind a load balancer that never saw it would. test:cluster proves it across processes.

const slowTool: FixtureTool = {
  name: "slow_export",
  description: "Exports records slowly; stops when cancelled.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  annotations: { readOnlyHint: true },
};
const askTool: FixtureTool = { name: "ask_user", description: "Asks the user during the call.", inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } };
const chattyTool: FixtureTool = {
  name: "chatty_export",
  description: "Exports records, logging as it goes.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  annotations: { readOnlyHint: true },
};

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let stopListening: () => Promise<void>;
let other: pg.Client;
let key: string;
let agentId: string;
let serverId: string;
const entry = "com.example/shared";
const tool = (name: string) => `com.example_sshared__${name}`;
const auth = () => ({ Authorization: `Bearer ${key}` });

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools: [...defaultFixtureTools, slowTool, chattyTool, askTool],
    eventStream: true,
    respond: async (name, args, call) => {
      if (name === slowTool.name) {
        return new Promise((resolve) => {
          const timer = setTimeout(() => resolve({ content: [{ type: "text", text: "done" }] }), 20_000);
          call.signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
        });
      }
      if (name === askTool.name) {
        const answer = await call.sendRequest({ method: "elicitation/create", params: { message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } } }, ElicitResultSchema);
        return { content: [{ type: "text", text: `${answer.action} ${JSON.stringify(answer.content ?? {})}` }] };
      }
      if (name !== chattyTool.name) return undefined;
      for (const level of ["debug", "info", "warning", "error"] as const) {
        await call.sendNotification({ method: "notifications/message", params: { level, logger: "export", data: `${level} about ${String(args.id)}` } });
      }
      return { content: [{ type: "text", text: "exported" }] };
    },
  });
  ({ agentId, key, serverId } = await governFixtureServer(fixture.url, { name: entry }));
  gateway = await startGatewayServer();
  stopListening = await startResolutionInvalidation();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
}, 60_000);

afterAll(async () => {
  await other.end();
  await stopListening();
  await closeGatewayTest(gateway, fixture);
});

/** What the gateway forwards to other instances, as another instance hears it. */
async function listenToSessionMessages(): Promise<{ heard: string[]; listener: pg.Client }> {
  const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await listener.connect();
  const heard: string[] = [];
  listener.on("notification", (message) => void heard.push(message.payload ?? ""));
  await listener.query(`LISTEN ${sessionMessagesChannel}`);
  return { heard, listener };
}
const sessionIdOf = (client: LegacyClient) => (client.transport as StreamableHTTPClientTransport).sessionId!;
const textOf = (result: unknown) => ((result as { content: { text: string }[] }).content[0]?.text ?? "");
const rpc = (method: string, params: object = {}) => JSON.stringify({ jsonrpc: "2.0", id: 1, method, params });
const post = (url: string, body: string, headers: Record<string, string>) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25", ...headers }, body });

async function foreignSessionRefusals(actorId: string): Promise<number> {
  flushEdgeRefusals();
  await flushGatewayAudit();
  const events = await db().auditEvent.findMany({ where: { action: "gateway.edge", actorId, details: { path: ["reason"], equals: "foreign_session" } }, select: { details: true } });
  return events.reduce((sum, event) => sum + Number((event.details as { count?: number }).count ?? 1), 0);
}

describe("a 2025-era session on an instance that did not open it", () => {
  it("is stored at initialize with what re-creating it needs, and no credential", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const row = await db().gatewaySession.findUniqueOrThrow({ where: { id: sessionIdOf(client) } });
    expect(row).toMatchObject({ agentId, userKey: null, endpointPath: null, protocolVersion: "2025-11-25", clientInfo: { name: "legacy-host", version: "1.0.0" }, logLevel: null });
    expect(JSON.stringify(row)).not.toContain(key);
    await client.close();
  });

  it("stores the version the SDK negotiated (the latest, for a version it does not support), and is re-created with it", async () => {
    const opened = await post(gateway.url, rpc("initialize", { protocolVersion: "1999-01-01", capabilities: {}, clientInfo: { name: "old-host", version: "0.1" } }), auth());
    const sessionId = opened.headers.get("mcp-session-id")!;
    expect(await opened.text()).toContain(`"protocolVersion":"${LATEST_PROTOCOL_VERSION}"`);
    expect((await db().gatewaySession.findUniqueOrThrow({ where: { id: sessionId } })).protocolVersion).toBe(LATEST_PROTOCOL_VERSION);
    await forgetLegacySessionsForTests();
    const listed = await post(gateway.url, rpc("tools/list"), { ...auth(), "mcp-session-id": sessionId, "mcp-protocol-version": LATEST_PROTOCOL_VERSION });
    expect(listed.status).toBe(200);
    expect(await listed.text()).toContain(tool("read_record"));
  });

  it("goes on after this instance forgot it: tools/list, a lean call and an SDK-path call, from its row", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    await forgetLegacySessionsForTests();
    expect(holdsLegacySession(sessionId)).toBe(false);
    expect((await client.listTools()).tools.map((listed) => listed.name)).toContain(tool("read_record"));
    expect(holdsLegacySession(sessionId)).toBe(true);
    await forgetLegacySessionsForTests();
    expect((await client.callTool({ name: tool("read_record"), arguments: { id: "r-1" } })).isError ?? false).toBe(false);
    await forgetLegacySessionsForTests();
    // A progress token takes the SDK server's path: the re-created server answers it.
    const progressed = await client.callTool({ name: tool("read_record"), arguments: { id: "r-2" } }, undefined, { onprogress: () => {} });
    expect(progressed.isError ?? false).toBe(false);
    // The same id throughout: the client never initialized again.
    expect(sessionIdOf(client)).toBe(sessionId);
    expect(await db().gatewaySession.count({ where: { agentId } })).toBeGreaterThanOrEqual(1);
    await client.close();
  }, 30_000);

  it("keeps the log level the client set (stored), so its calls' log messages are relayed from there up", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const logs: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => void logs.push(`${notification.params.level} ${String(notification.params.data)}`));
    await client.setLoggingLevel("warning");
    expect((await db().gatewaySession.findUniqueOrThrow({ where: { id: sessionIdOf(client) } })).logLevel).toBe("warning");
    await forgetLegacySessionsForTests();
    expect(textOf(await client.callTool({ name: tool("chatty_export"), arguments: { id: "b" } }))).toBe("exported");
    expect(logs).toEqual(["warning warning about b", "error error about b"]);
    await client.close();
  }, 30_000);

  it("cancels a call the client cancels, on the re-created session", async () => {
    const client = await connectLegacy(gateway.url, auth());
    await forgetLegacySessionsForTests();
    const id = "cancel-after-revival";
    const cancel = new AbortController();
    const pending = client.callTool({ name: tool(slowTool.name), arguments: { id } }, undefined, { signal: cancel.signal }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    cancel.abort("the user stopped it");
    expect(await pending).toBeInstanceOf(Error);
    await expect.poll(() => fixture.cancelled.filter((call) => call.arguments.id === id).length, { timeout: 10_000 }).toBe(1);
    await client.close();
  }, 30_000);

  it("is refused (404, audited) with another agent's key or at another endpoint, held or not; its own credential still works", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    const stranger = await agentWithKey("prod");
    await grant(stranger.agentId, (await db().server.findUniqueOrThrow({ where: { name: entry } })).id);
    const before = await foreignSessionRefusals(stranger.agentId);
    const inSession = { "mcp-session-id": sessionId };
    // Held in memory, then not held (checked against the row before anything is re-created).
    expect((await post(gateway.url, rpc("tools/list"), { Authorization: `Bearer ${stranger.key}`, ...inSession })).status).toBe(404);
    await forgetLegacySessionsForTests();
    expect((await post(gateway.url, rpc("tools/list"), { Authorization: `Bearer ${stranger.key}`, ...inSession })).status).toBe(404);
    expect(holdsLegacySession(sessionId)).toBe(false);
    const entryUrl = `${gateway.origin}/mcp/servers/${encodeURIComponent(entry)}`;
    expect((await post(entryUrl, rpc("tools/list"), { ...auth(), ...inSession })).status).toBe(404);
    expect(holdsLegacySession(sessionId)).toBe(false);
    expect(await foreignSessionRefusals(stranger.agentId)).toBe(before + 2);
    expect(await foreignSessionRefusals(agentId)).toBeGreaterThanOrEqual(1);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  }, 30_000);

  it("is told when its lists change once re-created: its notification stream (GET) reopens on this instance", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    await forgetLegacySessionsForTests();
    // The client reconnects its GET stream by itself; that request re-creates the session here.
    await expect.poll(() => holdsLegacySession(sessionId), { timeout: 10_000 }).toBe(true);
    await settledListChanges();
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId, toolName: "search_records", reason: "Leaks data" } });
    try {
      await expect.poll(() => changes, { timeout: 5_000 }).toBe(1);
      expect((await client.listTools()).tools.map((listed) => listed.name)).not.toContain(tool("search_records"));
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "test over" } });
    }
    await client.close();
  }, 30_000);

  it("opened at an entry's endpoint, is re-created there and serves only there", async () => {
    const entryUrl = `${gateway.origin}/mcp/servers/${encodeURIComponent(entry)}`;
    const client = await connectLegacy(entryUrl, auth());
    const sessionId = sessionIdOf(client);
    expect((await db().gatewaySession.findUniqueOrThrow({ where: { id: sessionId } })).endpointPath).toBe(`/mcp/servers/${encodeURIComponent(entry)}`);
    await forgetLegacySessionsForTests();
    expect((await post(gateway.url, rpc("tools/list"), { ...auth(), "mcp-session-id": sessionId })).status).toBe(404);
    expect((await client.listTools()).tools.map((listed) => listed.name)).toContain("read_record");
    await client.close();
  }, 30_000);
});

describe("a session's end reaches every instance", () => {
  it("DELETE deletes the row, whether this instance holds the session or not", async () => {
    for (const held of [true, false]) {
      const client = await connectLegacy(gateway.url, auth());
      const sessionId = sessionIdOf(client);
      if (!held) await forgetLegacySessionsForTests();
      await (client.transport as StreamableHTTPClientTransport).terminateSession();
      expect(await db().gatewaySession.count({ where: { id: sessionId } })).toBe(0);
      expect(holdsLegacySession(sessionId)).toBe(false);
      expect((await post(gateway.url, rpc("tools/list"), { ...auth(), "mcp-session-id": sessionId })).status).toBe(404);
      await client.close();
    }
  }, 30_000);

  it("a row deleted by another instance drops this instance's copy (its notification), and the session is gone", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    expect(holdsLegacySession(sessionId)).toBe(true);
    await other.query(`DELETE FROM "gateway_sessions" WHERE "id" = $1`, [sessionId]);
    await expect.poll(() => holdsLegacySession(sessionId), { timeout: 2_000 }).toBe(false);
    await expect(client.listTools()).rejects.toThrow(/404|Session not found/);
    await client.close();
  }, 30_000);

  it("the notification alone drops the copy; the row re-creates it", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    await other.query("SELECT pg_notify('toolgate_sessions', $1)", [sessionId]);
    await expect.poll(() => holdsLegacySession(sessionId), { timeout: 2_000 }).toBe(false);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  }, 30_000);

  it("after a gap in listening, a held copy checks its row once: kept if it is there, dropped if it was deleted unheard", async () => {
    const kept = await connectLegacy(gateway.url, auth());
    const lost = await connectLegacy(gateway.url, auth());
    // A deletion this instance does not hear of, as while its listener was down.
    await other.query(`ALTER TABLE "gateway_sessions" DISABLE TRIGGER "gateway_sessions_notify"`);
    try {
      await other.query(`DELETE FROM "gateway_sessions" WHERE "id" = $1`, [sessionIdOf(lost)]);
    } finally {
      await other.query(`ALTER TABLE "gateway_sessions" ENABLE TRIGGER "gateway_sessions_notify"`);
    }
    // Without a gap the copy serves on (no query on the hot path).
    expect((await lost.listTools()).tools.length).toBeGreaterThan(0);
    recheckLegacySessions();
    await expect(lost.listTools()).rejects.toThrow(/404|Session not found/);
    expect(holdsLegacySession(sessionIdOf(lost))).toBe(false);
    expect((await kept.listTools()).tools.length).toBeGreaterThan(0);
    expect(holdsLegacySession(sessionIdOf(kept))).toBe(true);
    await kept.close();
    await lost.close();
  }, 30_000);

  it("deleteIdleGatewaySessions deletes rows unused for 30 minutes, and their copies go", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    await deleteIdleGatewaySessions(Date.now());
    expect(await db().gatewaySession.count({ where: { id: sessionId } })).toBe(1);
    expect(await deleteIdleGatewaySessions(new Date(Date.now() + sessionIdleMs + 60_000))).toBeGreaterThanOrEqual(1);
    expect(await db().gatewaySession.count({ where: { id: sessionId } })).toBe(0);
    await expect.poll(() => holdsLegacySession(sessionId), { timeout: 2_000 }).toBe(false);
    await client.close();
  }, 30_000);
});

describe("a client's message about a call another instance runs", () => {
  const notifyAsElsewhere = (sessionId: string, message: object) => other.query("SELECT pg_notify($1, $2)", [sessionMessagesChannel, JSON.stringify({ i: "elsewher", s: sessionId, m: message })]);

  // What another instance does with a message too large for a notification: keeps it, and names its row.
  const keepAsElsewhere = async (sessionId: string, message: object) => {
    const { rows } = await other.query<{ id: string }>(`INSERT INTO "gateway_session_messages" ("session_id", "message") VALUES ($1, $2) RETURNING "id"::text`, [sessionId, JSON.stringify(message)]);
    await other.query("SELECT pg_notify($1, $2)", [sessionMessagesChannel, JSON.stringify({ i: "elsewher", s: sessionId, r: rows[0]!.id })]);
  };

  it.each([
    ["in the notification", "Forwarded", notifyAsElsewhere],
    ["kept, as one too large for a notification", "n".repeat(20_000), keepAsElsewhere],
  ])("its answer to a relayed elicitation, forwarded %s by the instance it reached, reaches the call waiting here", async (_how, name, forward) => {
    const client = new LegacyClient({ name: "asking-host", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    const asked: (string | number)[] = [];
    // This client's answer goes "to another instance": it never comes here over HTTP.
    client.setRequestHandler(ElicitRequestSchema, (_request, extra) => {
      asked.push(extra.requestId);
      return new Promise(() => {});
    });
    await client.connect(new StreamableHTTPClientTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    const sessionId = sessionIdOf(client);
    const pending = client.callTool({ name: tool(askTool.name), arguments: {} }, undefined, { timeout: 20_000 });
    await expect.poll(() => asked.length, { timeout: 10_000 }).toBe(1);
    await forward(sessionId, { jsonrpc: "2.0", id: asked[0], result: { action: "accept", content: { name } } });
    expect(textOf(await pending)).toBe(`accept {"name":"${name}"}`);
    await client.close();
  }, 30_000);

  it("a cancel forwarded by the instance it reached cancels the call running here", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    const id = "cancel-forwarded";
    const pending = client.callTool({ name: tool(slowTool.name), arguments: { id } }, undefined, { timeout: 5_000 }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    // The client's requests are numbered from 0: its call is one of the first few.
    for (const requestId of [0, 1, 2, 3]) await notifyAsElsewhere(sessionId, { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId, reason: "stopped elsewhere" } });
    await expect.poll(() => fixture.cancelled.filter((call) => call.arguments.id === id).length, { timeout: 4_000 }).toBe(1);
    await pending;
    await client.close();
  }, 30_000);

  it("is forwarded when it reaches this instance: a cancel and an answer, not a call", async () => {
    const { heard, listener } = await listenToSessionMessages();
    try {
      const client = await connectLegacy(gateway.url, auth());
      const sessionId = sessionIdOf(client);
      await client.callTool({ name: tool("read_record"), arguments: { id: "r-3" } });
      await client.notification({ method: "notifications/cancelled", params: { requestId: 99, reason: "changed my mind" } });
      await expect.poll(() => heard.length, { timeout: 2_000 }).toBe(1);
      expect(JSON.parse(heard[0]!)).toEqual({ i: instanceTag(), s: sessionId, m: { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99, reason: "changed my mind" } } });
      // Its own forwarding is not delivered back to it; nor is anything that is not a cancel or an answer.
      expect(forwardedFromElsewhere(heard[0]!)).toBeNull();
      expect(forwardedFromElsewhere(JSON.stringify({ i: "elsewher", s: sessionId, m: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x" } } }))).toBeNull();
      expect(forwardedFromElsewhere(JSON.stringify({ i: "elsewher", s: "not-a-session", m: { jsonrpc: "2.0", method: "notifications/cancelled" } }))).toBeNull();
      expect(forwardedFromElsewhere("{not json")).toBeNull();
      await client.close();
    } finally {
      await listener.end();
    }
  }, 30_000);
});

describe("a client's message too large for a notification", () => {
  it("is kept, named in the notification, and deleted after its time to live", async () => {
    const { heard, listener } = await listenToSessionMessages();
    try {
      const client = await connectLegacy(gateway.url, auth());
      const sessionId = sessionIdOf(client);
      const cancel = { jsonrpc: "2.0", method: "notifications/cancelled", params: { requestId: 99, reason: "r".repeat(9_000) } };
      await client.notification({ method: cancel.method, params: cancel.params });
      await expect.poll(() => heard.length, { timeout: 2_000 }).toBe(1);
      const named = JSON.parse(heard[0]!) as { i: string; s: string; r: string };
      expect(named).toEqual({ i: instanceTag(), s: sessionId, r: expect.stringMatching(/^[1-9][0-9]*$/) });
      expect(await readKeptMessage(sessionId, named.r)).toEqual(cancel);
      // Its own notification is not delivered back to it.
      expect(forwardedFromElsewhere(heard[0]!)).toBeNull();
      await deleteForwardedMessages(Date.now());
      expect(await readKeptMessage(sessionId, named.r)).toEqual(cancel);
      expect(await deleteForwardedMessages(Date.now() + forwardedMessageTtlMs + 60_000)).toBeGreaterThanOrEqual(1);
      expect(await readKeptMessage(sessionId, named.r)).toBeNull();
      await client.close();
    } finally {
      await listener.end();
    }
  }, 30_000);

  it("is read only for its own session, only while it is a cancel or an answer, and never from a malformed reference", async () => {
    const client = await connectLegacy(gateway.url, auth());
    const sessionId = sessionIdOf(client);
    const otherClient = await connectLegacy(gateway.url, auth());
    const otherSessionId = sessionIdOf(otherClient);
    const keep = async (message: object) =>
      (await other.query<{ id: string }>(`INSERT INTO "gateway_session_messages" ("session_id", "message") VALUES ($1, $2) RETURNING "id"::text`, [sessionId, JSON.stringify(message)])).rows[0]!.id;
    const answer = await keep({ jsonrpc: "2.0", id: 4, result: { action: "decline" } });
    expect(await readKeptMessage(otherSessionId, answer)).toBeNull();
    expect(await readKeptMessage(sessionId, "999999999")).toBeNull();
    expect(await readKeptMessage(sessionId, await keep({ jsonrpc: "2.0", id: 5, method: "tools/call", params: { name: "x" } }))).toBeNull();
    for (const r of ["0", "-1", "abc", "1".repeat(20), "1\n", 7]) {
      expect(forwardedFromElsewhere(JSON.stringify({ i: "elsewher", s: sessionId, r }))).toBeNull();
    }
    expect(forwardedFromElsewhere(JSON.stringify({ i: "elsewher", s: "not-a-session", r: answer }))).toBeNull();
    expect(forwardedFromElsewhere(JSON.stringify({ i: "elsewher", s: sessionId, r: answer }))).toEqual({ sessionId, keptId: answer });
    await client.close();
    await otherClient.close();
  }, 30_000);
});

describe("bad input", () => {
  // A malformed id in a query on the uuid column would fail (500): 404 shows it was never looked up.
  it.each([
    ["not a uuid", "not-a-session"],
    ["oversized", "a".repeat(10_000)],
    ["a control character", "0b3d6c1e-1c2d-4e5f-8a9b-0c1d2e3f4a5b\tx"],
    ["upper case", "0B3D6C1E-1C2D-4E5F-8A9B-0C1D2E3F4A5B"],
  ])("a session id that is %s is 404 (one not of the gateway's form never looked up)", async (_name, sessionId) => {
    const response = await post(gateway.url, rpc("tools/list"), { ...auth(), "mcp-session-id": sessionId });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe("Session not found: initialize again.");
  });

  it("an unknown well-formed id is 404", async () => {
    expect((await post(gateway.url, rpc("tools/list"), { ...auth(), "mcp-session-id": crypto.randomUUID() })).status).toBe(404);
  });

  it.each([
    ["clientInfo with a NUL", { capabilities: {}, clientInfo: { name: "bad\u0000host", version: "1" } }, /NUL/],
    ["oversized capabilities", { capabilities: { experimental: { blob: { data: "x".repeat(20_000) } } }, clientInfo: { name: "big", version: "1" } }, /exceed 16 KB/],
    ["clientInfo of the wrong type", { capabilities: {}, clientInfo: "legacy-host" }, /clientInfo/],
  ])("an initialize with %s is refused (400) and stores nothing", async (_name, params, message) => {
    const before = await db().gatewaySession.count();
    const response = await post(gateway.url, rpc("initialize", { protocolVersion: "2025-11-25", ...params }), auth());
    expect(response.status).toBe(400);
    expect(response.headers.get("mcp-session-id")).toBeNull();
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect(await db().gatewaySession.count()).toBe(before);
  });
});

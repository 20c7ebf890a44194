import { CreateMessageRequestSchema, CreateMessageResultSchema, ElicitRequestSchema, ElicitResultSchema, EmptyResultSchema, LoggingMessageNotificationSchema, PromptListChangedNotificationSchema, ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { connectLegacy, connectModern, type GatewayClient, LegacyClient, ModernClient, negotiatedVersion } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { grant } from "@/test/registry";
import { startServerEverything } from "@/test/server-everything";
import { agentWithKey } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { clearResolutionCache, startResolutionInvalidation } from "./invalidation";
import { listTtlMs, settledListChanges } from "./list-changes";
import { instanceTag } from "./instance-tag";
import { setSuspensionTimeoutForTests, suspendedCallCount } from "./suspended-calls";

// The protocol around a call, relayed through the real gateway to a real backend (decision 036):
// cancellation both ways, the backend's progress and log messages.

const slowTool: FixtureTool = {
  name: "slow_export",
  description: "Exports records slowly; stops when cancelled.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  annotations: { readOnlyHint: true },
};

const chattyTool: FixtureTool = {
  name: "chatty_export",
  description: "Exports records, reporting progress and logging as it goes.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  annotations: { readOnlyHint: true },
};

const askTools: FixtureTool[] = ["ask_user", "ask_model", "ask_user_briefly", "ask_badly", "ask_roots"].map((name) => ({ name, description: `Asks during the call (${name}).`, inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } }));

let fixture: FixtureServer;
/** Answers as event streams, so what it says about a call goes with the call. */
let chatty: FixtureServer;
let everything: Awaited<ReturnType<typeof startServerEverything>>;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let serverId: string;
let chattyServerId: string;
const exposed = (tool: string) => `com.example_srelays__${tool}`;

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools: [...defaultFixtureTools, slowTool],
    // slow_export answers after 20 s, or never once its caller cancels it.
    respond: (name, _args, { signal }) =>
      name === slowTool.name
        ? new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ content: [{ type: "text", text: "done" }] }), 20_000);
            signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
          })
        : undefined,
  });
  ({ agentId, key, serverId } = await governFixtureServer(fixture.url, { name: "com.example/relays" }));
  chatty = await startFixtureServer({
    tools: [chattyTool, ...askTools],
    eventStream: true,
    respond: async (name, args, call) => {
      // The backend asks during the call; its answer (or the error it got) is the tool's result.
      if (name !== chattyTool.name) {
        const asked =
          name === "ask_badly"
            ? // Not valid MCP: the gateway refuses it without asking anyone.
              call.sendRequest({ method: "elicitation/create", params: { message: 42, requestedSchema: "\u0000".repeat(10_000) } } as never, ElicitResultSchema).then((answer) => answer.action)
            : name === "ask_roots"
            ? call.sendRequest({ method: "roots/list", params: {} }, EmptyResultSchema).then(() => "roots")
            : name === "ask_user_briefly"
            ? // Gives up on the person after half a second: the SDK sends notifications/cancelled for its request.
              call.sendRequest({ method: "elicitation/create", params: { message: "Quick?", requestedSchema: { type: "object", properties: {} } } }, ElicitResultSchema, { signal: AbortSignal.timeout(500) }).then((answer) => answer.action)
            : name === "ask_user"
            ? call.sendRequest({ method: "elicitation/create", params: { message: "Your name?", requestedSchema: { type: "object", properties: { name: { type: "string" } } } } }, ElicitResultSchema).then((answer) => `${answer.action} ${JSON.stringify(answer.content ?? {})}`)
            : call.sendRequest({ method: "sampling/createMessage", params: { messages: [{ role: "user", content: { type: "text", text: "Summarise." } }], maxTokens: 10 } }, CreateMessageResultSchema).then((answer) => `model ${answer.model}: ${JSON.stringify(answer.content)}`);
        const text = await asked.catch((error: unknown) => `error ${(error as { code?: number }).code}: ${(error as Error).message}`);
        return { content: [{ type: "text", text }] };
      }
      const token = call._meta?.progressToken;
      for (const [step, level] of (["debug", "info", "warning", "error"] as const).entries()) {
        await call.sendNotification({ method: "notifications/message", params: { level, logger: "export", data: `${level} about ${String(args.id)}` } });
        if (token !== undefined) await call.sendNotification({ method: "notifications/progress", params: { progressToken: token, progress: step + 1, total: 4, message: `step ${step + 1}` } });
      }
      // Not the call's: progress under a token the gateway did not send is not relayed.
      await call.sendNotification({ method: "notifications/progress", params: { progressToken: "someone-else", progress: 99 } });
      return { content: [{ type: "text", text: "exported" }] };
    },
  });
  chattyServerId = (await governFixtureServer(chatty.url, { name: "com.example/chatty" })).serverId;
  await grant(agentId, chattyServerId);
  everything = await startServerEverything();
  await grant(agentId, (await governFixtureServer(everything.url, { name: "org.example/everything" })).serverId);
  gateway = await startGatewayServer();
}, 120_000);

afterAll(async () => {
  await closeGatewayTest(gateway, fixture);
  await chatty.close();
  await everything.close();
});

const auth = () => ({ Authorization: `Bearer ${key}` });

const eras = [
  ["2025-11-25", () => connectLegacy(gateway.url, auth())],
  ["2026-07-28", () => connectModern(gateway.url, auth())],
] as const;

/** A tools/call with the SDK client's options; a progress handler makes it take the gateway's SDK path, none its lean path. */
function call(
  client: GatewayClient,
  name: string,
  args: Record<string, unknown>,
  options: { signal?: AbortSignal; onprogress?: (progress: { progress: number; total?: number; message?: string }) => void },
  meta?: Record<string, unknown>,
) {
  const params = meta ? { name, arguments: args, _meta: meta } : { name, arguments: args };
  const requestOptions = { ...options, timeout: 30_000 };
  return client instanceof ModernClient ? client.callTool(params, requestOptions) : (client as LegacyClient).callTool(params, undefined, requestOptions);
}

/** The agent's calls audited as cancelled by their client. */
async function cancelledCalls(): Promise<number> {
  await flushGatewayAudit();
  return db().auditEvent.count({ where: { action: "gateway.tools/call", actorId: agentId, reason: { contains: "was cancelled" } } });
}

const cancelledWith = (id: string) => fixture.cancelled.filter((entry) => entry.arguments.id === id);

describe.each(eras)("cancellation over MCP %s", (era, connect) => {
  it.each([
    ["the lean path", false],
    ["the SDK path", true],
  ])("a call the client cancels is cancelled on the backend too (%s), and audited as cancelled", async (_path, withProgress) => {
    const client = await connect();
    expect(negotiatedVersion(client)).toBe(era);
    const id = `cancel-${era}-${withProgress ? "sdk" : "lean"}`;
    const cancel = new AbortController();
    const started = Date.now();
    const cancelledBefore = await cancelledCalls();
    const pending = call(client, exposed(slowTool.name), { id }, { signal: cancel.signal, onprogress: withProgress ? () => {} : undefined }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    cancel.abort("the user stopped it");
    expect(await pending).toBeInstanceOf(Error);
    await expect.poll(() => cancelledWith(id).length, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect.poll(cancelledCalls, { timeout: 10_000 }).toBe(cancelledBefore + 1);
    // The session (2025) or the gateway (2026) serves the next call as usual.
    const next = await call(client, exposed("read_record"), { id: "after-cancel" }, {});
    expect(next.isError ?? false).toBe(false);
    await client.close();
  }, 30_000);
});

describe("a notifications/cancelled that names no call of its session", () => {
  it("cancels nothing: a malformed cancel, another session's request id, an id never sent", async () => {
    const first = await connectLegacy(gateway.url, auth());
    const second = await connectLegacy(gateway.url, auth());
    const id = "cancel-foreign";
    const pending = call(first, exposed(slowTool.name), { id }, { signal: AbortSignal.timeout(3_000) }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    // The first client's requests are numbered from 0: its call is one of the first few ids.
    for (const requestId of [0, 1, 2, 3, "1", 1e300]) await second.notification({ method: "notifications/cancelled", params: { requestId, reason: "not yours" } });
    await second.notification({ method: "notifications/cancelled", params: { requestId: { nested: true } as never, reason: "\u0000".repeat(5000) } }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cancelledWith(id)).toHaveLength(0);
    // The first client's own timeout cancels it (through its session).
    await pending;
    await expect.poll(() => cancelledWith(id).length, { timeout: 10_000 }).toBe(1);
    await first.close();
    await second.close();
  }, 30_000);
});

/** The log messages the client receives, as "<level> <data>". */
function logsOf(client: GatewayClient): string[] {
  const logs: string[] = [];
  const onLog = (notification: { params: { level: string; data?: unknown } }) => void logs.push(`${notification.params.level} ${String(notification.params.data)}`);
  if (client instanceof ModernClient) client.setNotificationHandler("notifications/message", onLog);
  else client.setNotificationHandler(LoggingMessageNotificationSchema, onLog);
  return logs;
}

describe.each(eras)("progress and log messages from backends over MCP %s", (era, connect) => {
  it("server-everything's long-running operation reports its progress to the client, under the client's token", async () => {
    const client = await connect();
    const progress: { progress: number; total?: number }[] = [];
    const result = await call(client, "org.example_severything__trigger-long-running-operation", { duration: 1, steps: 4 }, { onprogress: (update) => progress.push({ progress: update.progress, total: update.total }) });
    expect(result.isError ?? false).toBe(false);
    expect(progress).toEqual([1, 2, 3, 4].map((step) => ({ progress: step, total: 4 })));
    await client.close();
  }, 30_000);

  it("the backend's progress and, at the level the client asked for, its log messages about the call; nothing it was not asked for", async () => {
    const client = await connect();
    const logs = logsOf(client);
    const progress: string[] = [];
    const onprogress = (update: { progress: number; message?: string }) => void progress.push(`${update.progress} ${update.message ?? ""}`);
    const chattyName = "com.example_schatty__chatty_export";
    // No log level asked for: progress only (the token's), no log messages.
    expect((await call(client, chattyName, { id: "a" }, { onprogress })).isError ?? false).toBe(false);
    expect(progress).toEqual(["1 step 1", "2 step 2", "3 step 3", "4 step 4"]);
    expect(logs).toEqual([]);
    // Asked for warnings and worse: 2025 with logging/setLevel (the session's calls then take the SDK path), 2026 per request.
    let meta: Record<string, unknown> | undefined;
    if (client instanceof LegacyClient) await client.setLoggingLevel("warning");
    else meta = { "io.modelcontextprotocol/logLevel": "warning" };
    expect((await call(client, chattyName, { id: "b" }, {}, meta)).isError ?? false).toBe(false);
    expect(logs).toEqual(["warning warning about b", "error error about b"]);
    // A level that is not one is refused by the SDK (2026) or not taken (the session keeps "warning").
    if (client instanceof LegacyClient) await expect(client.request({ method: "logging/setLevel", params: { level: "loud" as never } }, EmptyResultSchema)).rejects.toThrow();
    await client.close();
  }, 30_000);
});

describe("list_changed (2025-11-25) and the lists' cache hint (2026-07-28)", () => {
  let stop: () => Promise<void>;
  beforeAll(async () => {
    stop = await startResolutionInvalidation();
  });
  afterAll(() => stop());

  /** What the 2025-era client was told, by list. */
  function changesSeenBy(client: LegacyClient) {
    const seen = { tools: 0, resources: 0, prompts: 0 };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void seen.tools++);
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => void seen.resources++);
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => void seen.prompts++);
    return seen;
  }

  it("a kill switch tells the agent's open sessions that its tools changed, once for a burst; a change that leaves its lists alone tells it nothing", async () => {
    const client = await connectLegacy(gateway.url, auth());
    expect(client.getServerCapabilities()?.tools?.listChanged).toBe(true);
    const seen = changesSeenBy(client);
    // Another agent's session, whose lists the kill switch does not touch (it has no grant).
    const other = await agentWithKey("prod");
    const bystander = await connectLegacy(gateway.url, { Authorization: `Bearer ${other.key}` });
    const bystanderSeen = changesSeenBy(bystander);
    await settledListChanges();

    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId, toolName: "search_records", reason: "Leaks data" } });
    await expect.poll(() => seen.tools, { timeout: 5_000 }).toBe(1);
    expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain(exposed("search_records"));

    // A burst: three changes in a row, one notification.
    const burst = [];
    for (const toolName of ["read_record", "delete_record", "slow_export"]) burst.push(await db().killSwitch.create({ data: { scope: "tool", serverId, toolName, reason: "Burst" } }));
    await expect.poll(() => seen.tools, { timeout: 5_000 }).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settledListChanges();
    expect(seen.tools).toBe(2);

    // A change the agent's lists do not show (a setting): the views are dropped, nothing is sent.
    await db().setting.upsert({ where: { key: "approvals.waitSeconds" }, create: { key: "approvals.waitSeconds", value: 7 }, update: { value: 7 } });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await settledListChanges();
    expect(seen).toEqual({ tools: 2, resources: 0, prompts: 0 });
    expect(bystanderSeen).toEqual({ tools: 0, resources: 0, prompts: 0 });

    await db().killSwitch.updateMany({ where: { id: { in: [kill.id, ...burst.map((row) => row.id)] } }, data: { clearedAt: new Date(), clearReason: "test over" } });
    await expect.poll(() => seen.tools, { timeout: 5_000 }).toBe(3);
    await client.close();
    await bystander.close();
  }, 30_000);

  it("a 2026-07-28 client gets its lists with a private cache hint of listTtlMs", async () => {
    const client = await connectModern(gateway.url, auth());
    const page = await client.request({ method: "tools/list", params: {} });
    expect(page).toMatchObject({ ttlMs: listTtlMs, cacheScope: "private" });
    await client.close();
  });
});

describe("a backend's elicitation and sampling requests during a call", () => {
  const askName = (tool: string) => `com.example_schatty__${tool}`;
  const textOf = (result: object) => ((result as { content: { text: string }[] }).content[0]!).text;

  async function relayEvents(method: string) {
    await flushGatewayAudit();
    return db().auditEvent.findMany({ where: { action: `gateway.${method}`, actorId: agentId }, orderBy: { chainSeq: "asc" } });
  }

  it("reach a 2025-era client that declared the capability, whose answer goes back to the backend; each relay audited without its content", async () => {
    const client = new LegacyClient({ name: "asking-host", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {} } });
    client.setRequestHandler(ElicitRequestSchema, (request) => ({ action: "accept", content: { name: `Ada (asked: ${request.params.message})` } }));
    client.setRequestHandler(CreateMessageRequestSchema, () => ({ model: "test-model", role: "assistant", content: { type: "text", text: "Short." } }));
    await client.connect(new LegacyTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    const before = (await relayEvents("elicitation/create")).length;
    expect(textOf(await client.callTool({ name: askName("ask_user"), arguments: {} }))).toBe('accept {"name":"Ada (asked: Your name?)"}');
    expect(textOf(await client.callTool({ name: askName("ask_model"), arguments: {} }))).toBe('model test-model: {"type":"text","text":"Short."}');
    const events = await relayEvents("elicitation/create");
    expect(events).toHaveLength(before + 1);
    const event = events.at(-1)!;
    expect(event.outcome).toBe("success");
    expect(event.details).toMatchObject({ tool: "ask_user", serverName: "com.example/chatty", clientAction: "accept" });
    expect(JSON.stringify([event.details, event.reason])).not.toContain("Ada");
    expect((await relayEvents("sampling/createMessage")).at(-1)?.outcome).toBe("success");
    await client.close();
  }, 30_000);

  it.each(eras)("are refused with -32601 for a client that did not declare it (%s), and the refusal audited", async (_era, connect) => {
    const client = await connect();
    const before = (await relayEvents("elicitation/create")).length;
    const answer = textOf(await call(client, askName("ask_user"), {}, {}));
    expect(answer).toMatch(/^error -32601: .*did not declare elicitation/);
    const events = await relayEvents("elicitation/create");
    expect(events).toHaveLength(before + 1);
    expect(events.at(-1)).toMatchObject({ outcome: "denied" });
    await client.close();
  }, 30_000);

  it("a request that is not valid MCP, or one the gateway does not relay, is refused without reaching the client", async () => {
    const client = new LegacyClient({ name: "asking-host", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {}, roots: {} } });
    let asked = 0;
    client.setRequestHandler(ElicitRequestSchema, () => {
      asked++;
      return { action: "decline" };
    });
    await client.connect(new LegacyTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    expect(textOf(await client.callTool({ name: askName("ask_badly"), arguments: {} }))).toMatch(/^error -32602: .*Invalid params: the elicitation\/create request is not valid MCP/);
    expect(textOf(await client.callTool({ name: askName("ask_roots"), arguments: {} }))).toMatch(/^error -32601: .*does not relay roots\/list/);
    expect(asked).toBe(0);
    expect((await relayEvents("elicitation/create")).at(-1)).toMatchObject({ outcome: "denied", reason: "Invalid params: the elicitation/create request is not valid MCP." });
    await client.close();
  }, 30_000);

  it("a request the backend withdraws is withdrawn from the client too", async () => {
    const client = new LegacyClient({ name: "slow-host", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    let withdrawn = false;
    client.setRequestHandler(ElicitRequestSchema, (request, extra) =>
      request.params.message !== "Quick?"
        ? { action: "decline" }
        : new Promise((resolve) =>
            extra.signal.addEventListener("abort", () => {
              withdrawn = true;
              resolve({ action: "cancel" });
            }),
          ),
    );
    await client.connect(new LegacyTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    // The v1 client ignores a cancel for request id 0 (its `!requestId` check): the session's first request to it is another.
    expect(textOf(await client.callTool({ name: askName("ask_user"), arguments: {} }))).toBe("decline {}");
    expect(textOf(await client.callTool({ name: askName("ask_user_briefly"), arguments: {} }))).toMatch(/^error/);
    await expect.poll(() => withdrawn, { timeout: 5_000 }).toBe(true);
    await client.close();
  }, 30_000);

  it("a client that declared only elicitation is not asked for sampling", async () => {
    const client = new LegacyClient({ name: "eliciting-host", version: "1.0.0" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, () => ({ action: "decline" }));
    await client.connect(new LegacyTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    expect(textOf(await client.callTool({ name: askName("ask_user"), arguments: {} }))).toBe("decline {}");
    expect(textOf(await client.callTool({ name: askName("ask_model"), arguments: {} }))).toMatch(/^error -32601: .*did not declare sampling/);
    await client.close();
  }, 30_000);
});

describe("a backend's elicitation and sampling for a 2026-07-28 client: input_required and the retry", () => {
  const askName = (tool: string) => `com.example_schatty__${tool}`;
  const textOf = (result: object) => ((result as { content: { text: string }[] }).content[0]!).text;
  const modernOptions = { versionNegotiation: { mode: { pin: "2026-07-28" as const } } };

  async function relayEvents(method: string) {
    await flushGatewayAudit();
    return db().auditEvent.findMany({ where: { action: `gateway.${method}`, actorId: agentId }, orderBy: { chainSeq: "asc" } });
  }

  async function askingClient(elicit: (message: string) => { action: "accept" | "decline"; content?: Record<string, string> }) {
    const client = new ModernClient({ name: "asking-host", version: "1.0.0" }, { ...modernOptions, capabilities: { elicitation: {}, sampling: {} } });
    client.setRequestHandler("elicitation/create", (request) => elicit(String((request.params as { message?: unknown }).message)));
    client.setRequestHandler("sampling/createMessage", () => ({ model: "test-model", role: "assistant" as const, content: { type: "text" as const, text: "Short." } }));
    await client.connect(new ModernTransport(new URL(gateway.url), { requestInit: { headers: auth() } }));
    return client;
  }

  /** A raw 2026-07-28 tools/call, as the v2 client sends it. */
  async function rawCall(bearer: string, name: string, extra: Record<string, unknown>, headers: Record<string, string> = {}, capabilities: object = { elicitation: {} }) {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": capabilities, "io.modelcontextprotocol/clientInfo": { name: "raw", version: "1" } };
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { ...headers, Authorization: `Bearer ${bearer}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": name },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: {}, _meta: meta, ...extra } }),
    });
    const text = await response.text();
    const data = text.startsWith("{") ? text : (text.split("\n").find((line) => line.startsWith("data:")) ?? "").slice(5);
    return JSON.parse(data) as { result?: { resultType?: string; requestState?: string; inputRequests?: Record<string, { method: string }>; content?: { text: string }[] }; error?: { code: number; message: string } };
  }

  it("an elicitation accepted and one declined, and a sampling, go back to the backend; each relay audited", async () => {
    let answer: { action: "accept" | "decline"; content?: Record<string, string> } = { action: "accept", content: { name: "Ada" } };
    const client = await askingClient((message) => ({ ...answer, ...(answer.content && { content: { name: `${answer.content.name} (asked: ${message})` } }) }));
    const before = (await relayEvents("elicitation/create")).length;
    expect(textOf(await client.callTool({ name: askName("ask_user"), arguments: {} }))).toBe('accept {"name":"Ada (asked: Your name?)"}');
    answer = { action: "decline" };
    expect(textOf(await client.callTool({ name: askName("ask_user"), arguments: {} }))).toBe("decline {}");
    expect(textOf(await client.callTool({ name: askName("ask_model"), arguments: {} }))).toBe('model test-model: {"type":"text","text":"Short."}');
    const events = await relayEvents("elicitation/create");
    expect(events).toHaveLength(before + 2);
    expect(events.slice(-2).map((event) => [event.outcome, (event.details as { clientAction?: string }).clientAction])).toEqual([["success", "accept"], ["success", "decline"]]);
    expect(JSON.stringify(events.at(-2)!.details)).not.toContain("Ada");
    expect((await relayEvents("sampling/createMessage")).at(-1)?.outcome).toBe("success");
    expect(suspendedCallCount()).toBe(0);
    await client.close();
  }, 30_000);

  it("a forged requestState, or another agent's, is refused and audited; the suspension stays for its own agent", async () => {
    const first = await rawCall(key, askName("ask_user"), {});
    expect(first.result).toMatchObject({ resultType: "input_required", inputRequests: { backend_request: { method: "elicitation/create" } } });
    const requestState = first.result!.requestState!;
    // This instance's tag, then 256 random bits.
    expect(requestState).toMatch(new RegExp(`^${instanceTag()}\\.[\\w-]{43}$`));
    const other = await agentWithKey("prod");
    await grant(other.agentId, chattyServerId);
    const stolen = await rawCall(other.key, askName("ask_user"), { requestState, inputResponses: { backend_request: { action: "decline" } } });
    expect(stolen.error?.message).toMatch(/Invalid or expired requestState/);
    const forged = await rawCall(key, askName("ask_user"), { requestState: "x".repeat(43), inputResponses: { backend_request: { action: "decline" } } });
    expect(forged.error?.message).toMatch(/Invalid or expired requestState/);
    // Without the capability (a call the lean path would serve), a retry still is a retry, not a fresh call.
    const forgedLean = await rawCall(key, askName("ask_user"), { requestState: "y".repeat(43) }, {}, {});
    expect(forgedLean.error?.message).toMatch(/Invalid or expired requestState/);
    await flushGatewayAudit();
    const refusals = await db().auditEvent.findMany({ where: { action: "gateway.tools/call", actorId: { in: [agentId, other.agentId] }, reason: { startsWith: "Invalid or expired requestState" } } });
    expect(refusals.length).toBeGreaterThanOrEqual(3);
    const resumed = await rawCall(key, askName("ask_user"), { requestState, inputResponses: { backend_request: { action: "accept", content: { name: "Bo" } } } });
    expect(resumed.result?.content?.[0]?.text).toBe('accept {"name":"Bo"}');
    // Used once: the same state again is refused.
    expect((await rawCall(key, askName("ask_user"), { requestState, inputResponses: { backend_request: { action: "decline" } } })).error?.message).toMatch(/Invalid or expired requestState/);
  }, 30_000);

  it("a requestState another instance issued, with no instance to take it, is refused as gone, audited with its own reason; the suspension here stays", async () => {
    const first = await rawCall(key, askName("ask_user"), {});
    const requestState = first.result!.requestState!;
    const elsewhere = `${instanceTag() === "AAAAAAAA" ? "BBBBBBBB" : "AAAAAAAA"}.${requestState.slice(9)}`;
    const retry = await rawCall(key, askName("ask_user"), { requestState: elsewhere, inputResponses: { backend_request: { action: "decline" } } });
    expect(retry.error?.code).toBe(-32602);
    expect(retry.error?.message).toMatch(/instance of the gateway holding the call waiting for this input is gone; start the call again/);
    await flushGatewayAudit();
    expect(await db().auditEvent.count({ where: { action: "gateway.tools/call", actorId: agentId, reason: { startsWith: "requestState issued by another gateway instance" } } })).toBeGreaterThanOrEqual(1);
    // Not a shape this gateway gives: forged, as before.
    const malformed = await rawCall(key, askName("ask_user"), { requestState: `AAAAAAAA.${"z".repeat(10)}`, inputResponses: { backend_request: { action: "decline" } } });
    expect(malformed.error?.message).toMatch(/Invalid or expired requestState/);
    const resumed = await rawCall(key, askName("ask_user"), { requestState, inputResponses: { backend_request: { action: "accept", content: { name: "Cy" } } } });
    expect(resumed.result?.content?.[0]?.text).toBe('accept {"name":"Cy"}');
  }, 30_000);

  it("a suspension not resumed in time is dropped and the backend gets an error", async () => {
    setSuspensionTimeoutForTests(300);
    try {
      const first = await rawCall(key, askName("ask_user"), {});
      expect(first.result?.resultType).toBe("input_required");
      expect(suspendedCallCount()).toBe(1);
      await expect.poll(() => suspendedCallCount(), { timeout: 5_000 }).toBe(0);
      await expect.poll(async () => (await relayEvents("elicitation/create")).at(-1)?.reason, { timeout: 5_000 }).toMatch(/did not answer in time/);
      const late = await rawCall(key, askName("ask_user"), { requestState: first.result!.requestState, inputResponses: { backend_request: { action: "decline" } } });
      expect(late.error?.message).toMatch(/Invalid or expired requestState/);
    } finally {
      setSuspensionTimeoutForTests(5 * 60_000);
    }
  }, 30_000);

  it("a kill switch engaged while the call waits refuses the retry and cancels the backend's call", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const first = await rawCall(key, askName("ask_user"), {}, { "X-Correlation-Id": correlationId });
    expect(first.result?.resultType).toBe("input_required");
    const kill = await db().killSwitch.create({ data: { scope: "server", serverId: chattyServerId, reason: "Investigating" } });
    clearResolutionCache();
    try {
      const retry = await rawCall(key, askName("ask_user"), { requestState: first.result!.requestState, inputResponses: { backend_request: { action: "decline" } } });
      expect(retry.error?.message).toMatch(/no such tool|stopped|kill/i);
      expect(suspendedCallCount()).toBe(0);
      await expect.poll(async () => {
        await flushGatewayAudit();
        return (await db().auditEvent.findFirst({ where: { correlationId, action: "gateway.tools/call" } }))?.reason;
      }, { timeout: 5_000 }).toMatch(/cancelled/);
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
      clearResolutionCache();
    }
  }, 30_000);

  it("a retry with a malformed answer gives the backend an invalid-params error", async () => {
    const first = await rawCall(key, askName("ask_user"), {});
    const answer = await rawCall(key, askName("ask_user"), { requestState: first.result!.requestState, inputResponses: { backend_request: { action: "maybe", content: "\u0000".repeat(100) } } });
    expect(answer.result?.content?.[0]?.text ?? answer.error?.message).toMatch(/^error -32602: .*client's answer to elicitation\/create is missing or not valid MCP/);
  }, 30_000);
});

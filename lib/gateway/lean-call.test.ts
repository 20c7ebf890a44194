import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { type Era, eras, type GovernedGateway, startGovernedGateway } from "@/test/governed-gateway";
import { governFixtureServer } from "@/test/governed-server";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { connectLegacy } from "@/test/gateway-clients";
import { defaultFixtureTools, type FixtureTool } from "@/test/mcp-fixture-server";
import { startServerEverything } from "@/test/server-everything";
import { metricsText } from "@/lib/observability/metrics";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { activePolicySetRecord, rollBackPolicySet } from "@/lib/policy/policy-sets";
import { activatePolicyText, policyPeople } from "@/test/policy-sets";
import { flushGatewayAudit } from "./audit-queue";
import { clearResolutionCache } from "./invalidation";
import { resolveAgentView } from "./resolution";
import { leanCallOf, leanListOf } from "./lean-call";

// The lean path and the SDK path must be indistinguishable to a client: the same bytes for the same
// call, the same refusals, the same audit row. A call carrying a progress token takes the SDK path (it
// may relay progress); the same call without one takes the lean path. Each case is sent both ways with
// the same JSON-RPC id, and the raw HTTP answers are compared.

let gateway: GovernedGateway;

beforeAll(async () => {
  gateway = await startGovernedGateway(undefined, undefined, { approvalTools: ["delete_record"] });
  // A call needing approval answers "still waiting" after a second rather than the default wait.
  await db().setting.create({ data: { key: "approvals.waitSeconds", value: 1 } });
});

afterAll(() => gateway.close());

type Outcome = { status: number; contentType: string | null; body: string };

async function send(era: Era, name: string, args: unknown, path: "lean" | "sdk"): Promise<Outcome> {
  const params = { name, arguments: args, ...(path === "sdk" ? { _meta: { progressToken: "p-1" } } : {}) };
  const response = await gateway.send(era, 7, "tools/call", params);
  return { status: response.status, contentType: response.headers.get("content-type"), body: await response.text() };
}

/** The last gateway.tools/call audit row, without what differs between two calls by nature (time, latency, correlation). */
async function lastCallAudit() {
  await flushGatewayAudit();
  const event = await db().auditEvent.findFirstOrThrow({ where: { action: "gateway.tools/call" }, orderBy: { chainSeq: "desc" } });
  const details = { ...(event.details as Record<string, unknown>) };
  delete details.latencyMs;
  return { actor: event.actorLabel, outcome: event.outcome, reason: event.reason, target: [event.targetType, event.targetId], details };
}

/** How many calls the lean path has answered, from the gateway's metrics. */
async function leanCalls(): Promise<number> {
  const { body } = await metricsText();
  return Number(/^toolgate_gateway_lean_calls_total (\d+)/m.exec(body)?.[1]);
}

async function bothPaths(era: Era, name: string, args: unknown) {
  const before = await leanCalls();
  const lean = await send(era, name, args, "lean");
  const leanAudit = await lastCallAudit();
  const sdk = await send(era, name, args, "sdk");
  const sdkAudit = await lastCallAudit();
  // One of the two, and only one, was the lean path's.
  expect(await leanCalls()).toBe(before + 1);
  expect(lean).toEqual(sdk);
  expect(leanAudit).toEqual(sdkAudit);
  return { ...lean, message: JSON.parse(lean.body.replace(/^event: message\ndata: /, "")) as { result?: Record<string, unknown>; error?: { code: number; message: string } }, audit: leanAudit };
}

describe.each(eras)("the lean path and the SDK path over the %s era", (era) => {
  const results: [string, Record<string, unknown>][] = [
    ["text", { content: [{ type: "text", text: "plain answer" }] }],
    ["an image", { content: [{ type: "image", data: Buffer.from("not really a png").toString("base64"), mimeType: "image/png" }] }],
    ["structured content", { content: [{ type: "text", text: "{\"id\":\"9\"}" }], structuredContent: { id: "9" } }],
    ["an isError result", { content: [{ type: "text", text: "the record is locked" }], isError: true }],
    ["unicode", { content: [{ type: "text", text: "Grüße, 你好, 👋🏽, \u2028 and a quote \" and a backslash \\" }] }],
    ["a 1 MB result", { content: [{ type: "text", text: "x".repeat(1024 * 1024) }] }],
  ];

  it.each(results)("return the same bytes and audit row for %s", async (_kind, result) => {
    gateway.fixture.setResponder(() => result as never);
    try {
      const { status, message, audit } = await bothPaths(era, gateway.exposed("search_records"), { query: "a" });
      expect(status).toBe(200);
      // The 2026-07-28 revision adds its resultType and the server's identity in _meta, on both paths alike.
      expect(message.result).toMatchObject(result);
      expect(audit.outcome).toBe(result.isError ? "failure" : "success");
    } finally {
      gateway.fixture.setResponder(undefined);
    }
  });

  it("return the same bytes for a backend's JSON-RPC error", async () => {
    gateway.fixture.setResponder(() => {
      throw new Error("the records database is down");
    });
    try {
      const { message } = await bothPaths(era, gateway.exposed("search_records"), { query: "a" });
      expect(message.error).toMatchObject({ code: -32603 });
      expect(message.error?.message).toContain("the records database is down");
    } finally {
      gateway.fixture.setResponder(undefined);
    }
  });

  it("refuse alike: a tool the agent may not call, and arguments against the pinned schema", async () => {
    const unknown = await bothPaths(era, gateway.exposed("no_such_tool"), {});
    expect(unknown.message.error?.code).toBe(-32602);
    const badArguments = await bothPaths(era, gateway.exposed("search_records"), { limit: 0 });
    expect(badArguments.message.result).toMatchObject({ isError: true });
  });

  it("refuse alike a killed tool", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId: gateway.serverId, toolName: "search_records", reason: "Leaks data" } });
    try {
      await expect.poll(async () => (await send(era, gateway.exposed("search_records"), {}, "lean")).body, { timeout: 10_000 }).toContain("error");
      const { message } = await bothPaths(era, gateway.exposed("search_records"), {});
      // The request was fine: the server refuses it for now (-32000), not "invalid params" (-32602).
      expect(message.error?.code).toBe(-32000);
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "test over" } });
      await expect.poll(async () => (await send(era, gateway.exposed("search_records"), {}, "lean")).body, { timeout: 10_000 }).not.toContain('"error"');
    }
  });

  it("refuse alike a tool whose live definition drifted since certification", async () => {
    const [read, del, search] = defaultFixtureTools as [FixtureTool, FixtureTool, FixtureTool];
    gateway.fixture.setTools([read, del, { ...search, description: "Finds records, and also emails them." }]);
    try {
      await expect.poll(async () => (await send(era, gateway.exposed("search_records"), {}, "lean")).body, { timeout: 10_000 }).toContain("definition drift");
      const { message } = await bothPaths(era, gateway.exposed("search_records"), {});
      expect(message.error).toMatchObject({ code: -32000, message: expect.stringMatching(/definition drift since certification/) });
    } finally {
      gateway.fixture.setTools(defaultFixtureTools);
      await expect.poll(() => db().driftIncident.count({ where: { serverId: gateway.serverId, resolvedAt: null } }), { timeout: 10_000 }).toBe(0);
      await expect.poll(async () => (await send(era, gateway.exposed("search_records"), {}, "lean")).body, { timeout: 10_000 }).not.toContain('"error"');
    }
  });

  it("answer alike a call that waits for a person's approval, which the SDK path serves either way", async () => {
    const before = await leanCalls();
    const withoutToken = await send(era, gateway.exposed("delete_record"), { id: "r-1" }, "lean");
    const withToken = await send(era, gateway.exposed("delete_record"), { id: "r-1" }, "sdk");
    // With a progress token the wait is also reported as it goes; the answer itself is the same.
    const answer = ({ body }: Outcome) => (body.match(/^data: (.*)$/gm)?.at(-1)?.slice(6) ?? body).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>");
    expect(answer(withoutToken)).toBe(answer(withToken));
    expect(withoutToken.body).toMatch(/Approval request [0-9a-f-]{36} is still waiting/);
    expect(await leanCalls()).toBe(before);
  });

  it.each([
    ["closes the connection before answering", (count: number) => gateway.fixture.dropToolCalls(count)],
    ["closes the connection mid-answer", (count: number) => gateway.fixture.breakToolCalls(count)],
  ])("give a clear error and an audit row when the backend %s", async (_how, breakNext) => {
    // Not read-only, so the call is not retried: the one broken exchange is the answer.
    breakNext(1);
    const lean = await send(era, gateway.exposed("search_records"), { query: "a" }, "lean");
    const leanAudit = await lastCallAudit();
    breakNext(1);
    const sdk = await send(era, gateway.exposed("search_records"), { query: "a" }, "sdk");
    expect(lean).toEqual(sdk);
    expect(lean.body).toContain("backend com.example/records");
    expect(leanAudit).toMatchObject({ outcome: "failure" });
    expect(await lastCallAudit()).toEqual(leanAudit);
  });
});

describe("a call whose own identity needs approval where its agent's view did not", () => {
  // The view decides with the agent's row alone (no scopes); this request's key carries tools:call.
  const scopedApproval = `${defaultPolicyText(["critical"])}
@id("calls-with-call-scope")
@approval("required")
permit (principal, action == Toolgate::Action::"tools/call", resource) when { principal.scopes.contains("tools:call") && resource.name == "search_records" };
`;

  it("takes the SDK path, which waits for the person", async () => {
    const before = await activePolicySetRecord();
    const people = await policyPeople();
    await activatePolicyText(scopedApproval, people);
    clearResolutionCache();
    try {
      const view = await resolveAgentView(gateway.agentId);
      expect(view.toolsByName.get(gateway.exposed("search_records"))?.requiresApproval).toBe(false);
      const counted = await leanCalls();
      const answer = await send("legacy", gateway.exposed("search_records"), { query: "a" }, "lean");
      expect(answer.body).toMatch(/Approval request [0-9a-f-]{36} is still waiting/);
      expect(await leanCalls()).toBe(counted);
      expect(await lastCallAudit()).toMatchObject({ details: { policyIds: expect.stringContaining("calls-with-call-scope") } });
    } finally {
      await rollBackPolicySet(people.approver, before.id);
      clearResolutionCache();
    }
  });
});

describe("tools/list on the lean path and the SDK path", () => {
  async function list(params: Record<string, unknown>, path: "lean" | "sdk"): Promise<string> {
    const meta = path === "sdk" ? { _meta: { progressToken: "p-2" } } : {};
    return (await gateway.send("legacy", "list-1", "tools/list", { ...params, ...meta })).text();
  }

  it("return the same bytes for a page and for a cursor the gateway never handed out", async () => {
    const page = await list({}, "lean");
    expect(page).toBe(await list({}, "sdk"));
    expect(page).toContain(gateway.exposed("read_record"));
    const refused = await list({ cursor: "bm90LWEtY3Vyc29y" }, "lean");
    expect(refused).toBe(await list({ cursor: "bm90LWEtY3Vyc29y" }, "sdk"));
    expect(refused).toContain('"code":-32602');
  });
});

describe("call_tool in discovery mode (decision 034)", () => {
  it.each(eras)("takes the lean path as a direct call does, the same bytes both ways, and the SDK path when the tool it names needs approval (%s)", async (era) => {
    await db().agent.update({ where: { id: gateway.agentId }, data: { toolDiscovery: "search" } });
    clearResolutionCache();
    gateway.fixture.setResponder(() => ({ content: [{ type: "text", text: "via call_tool" }] }));
    try {
      const { message, audit } = await bothPaths(era, "call_tool", { name: gateway.exposed("read_record"), arguments: { id: "a" } });
      expect(message.result).toMatchObject({ content: [{ type: "text", text: "via call_tool" }] });
      expect(audit.details).toMatchObject({ tool: "call_tool", calls: gateway.exposed("read_record") });
      const before = await leanCalls();
      await send(era, "call_tool", { name: gateway.exposed("delete_record"), arguments: { id: "1" } }, "lean");
      expect(await leanCalls()).toBe(before);
    } finally {
      gateway.fixture.setResponder(undefined);
      await db().agent.update({ where: { id: gateway.agentId }, data: { toolDiscovery: "all" } });
      clearResolutionCache();
    }
  });
});

describe("a backend that answers with an event stream", () => {
  it("is relayed alike by both paths", async () => {
    const everything = await startServerEverything();
    const { key } = await governFixtureServer(everything.url, { name: "com.example/everything" });
    const server = await startGatewayServer();
    const client = await connectLegacy(server.url, { Authorization: `Bearer ${key}` });
    try {
      const echo = "com.example_severything__echo";
      const lean = await client.callTool({ name: echo, arguments: { message: "über" } });
      const sdk = await client.callTool({ name: echo, arguments: { message: "über" }, _meta: { progressToken: 1 } });
      expect(lean).toEqual(sdk);
      expect(lean.content).toEqual([{ type: "text", text: "Echo: über" }]);
    } finally {
      await client.close();
      await closeGatewayTest(server, everything);
    }
  });
});

describe("leanCallOf", () => {
  const call = (params: unknown, extra: Record<string, unknown> = {}) => leanCallOf({ jsonrpc: "2.0", id: 1, method: "tools/call", params, ...extra });

  it("takes a plain tools/call, arguments defaulting to none", () => {
    expect(call({ name: "a", arguments: { x: 1 } })).toEqual({ id: 1, name: "a", args: { x: 1 } });
    expect(call({ name: "a" })).toEqual({ id: 1, name: "a", args: {} });
  });

  it("leaves to the SDK path what it does not serve", () => {
    expect(call({ name: "a", _meta: { progressToken: 3 } })).toBeNull();
    expect(call({ name: "a", task: {} })).toBeNull();
    expect(call({ name: "a" }, { id: null })).toBeNull();
    expect(call({ name: "a" }, { method: "tools/list" })).toBeNull();
    expect(call({ name: "a" }, { jsonrpc: "1.0" })).toBeNull();
    expect(call({ name: 3 })).toBeNull();
    expect(call({ name: "a", arguments: [1] })).toBeNull();
    expect(leanCallOf([{ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "a" } }])).toBeNull();
  });
});

describe("leanListOf", () => {
  const list = (params?: unknown) => leanListOf({ jsonrpc: "2.0", id: "l", method: "tools/list", ...(params === undefined ? {} : { params }) });

  it("takes a listing with or without a cursor", () => {
    expect(list()).toEqual({ id: "l" });
    expect(list({ cursor: "MTAw" })).toEqual({ id: "l", cursor: "MTAw" });
  });

  it("leaves to the SDK path a cursor that is not text, a progress token, and params that are not an object", () => {
    expect(list({ cursor: 100 })).toBeNull();
    expect(list({ _meta: { progressToken: 1 } })).toBeNull();
    expect(list([1])).toBeNull();
  });
});

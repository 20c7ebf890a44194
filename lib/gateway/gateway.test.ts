import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerServer } from "@/lib/catalog/register";
import { db } from "@/lib/db/prisma";
import { makeTeam, makeUser } from "@/test/factories";
import { connectLegacy, connectModern, negotiatedVersion } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { grant } from "@/test/registry";
import { startServerEverything } from "@/test/server-everything";
import { metricsText } from "@/lib/observability/metrics";
import { flushGatewayAudit } from "./audit-queue";
import { closeAllBackends } from "./backends";
import { clearResolutionCache } from "./invalidation";
import { governFixtureServer } from "@/test/governed-server";

// Calls to tools that are not read-only re-list the backend's tools when the last listing is older than this.
process.env.TOOLGATE_DRIFT_RECHECK_SECONDS = "1";

const backendSecret = { name: "X-Backend-Key", value: "backend-secret-42" };
let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let serverId: string;
const serverName = "com.example/records";
const exposed = (tool: string) => `com.example_srecords__${tool}`;

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools, requireHeader: backendSecret });
  ({ serverId, agentId, key } = await governFixtureServer(fixture.url, {
    name: serverName,
    credential: { header: backendSecret.name, value: backendSecret.value },
    approvalTools: ["delete_record"],
  }));
  // Calls needing approval answer "still waiting" after a second rather than the default wait.
  await db().setting.create({ data: { key: "approvals.waitSeconds", value: 1 } });
  gateway = await startGatewayServer();
});

afterAll(() => closeGatewayTest(gateway, fixture));

const auth = () => ({ Authorization: `Bearer ${key}` });

const legacyClient = (headers: Record<string, string> = {}) => connectLegacy(gateway.url, { ...auth(), ...headers });
const modernClient = (headers: Record<string, string> = {}) => connectModern(gateway.url, { ...auth(), ...headers });

const eras = [
  ["2025-11-25", "(sessions)", legacyClient],
  ["2026-07-28", "(stateless)", modernClient],
] as const;

describe.each(eras)("the gateway over MCP %s %s", (era, _shape, connect) => {
  it("negotiates this era's protocol version", async () => {
    const client = await connect();
    expect(negotiatedVersion(client)).toBe(era);
    await client.close();
  });

  it("lists exactly the certified, pinned, granted tools, namespaced, with pinned definitions", async () => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(defaultFixtureTools.map((t) => exposed(t.name)).sort());
    const read = tools.find((t) => t.name === exposed("read_record"))!;
    expect(read.inputSchema).toEqual(defaultFixtureTools[0]!.inputSchema);
    await client.close();
  });

  it("forwards a call with the server-side credential, never the agent's key, and passes the result back", async () => {
    const client = await connect();
    const before = fixture.received.length;
    const result = await client.callTool({ name: exposed("read_record"), arguments: { id: "r-1" } });
    expect(result.isError ?? false).toBe(false);
    expect(result.structuredContent).toEqual({ id: "r-1" });
    const seen = fixture.received.slice(before);
    expect(seen.some((r) => r.toolCall?.name === "read_record")).toBe(true);
    for (const request of seen) {
      expect(request.headers[backendSecret.name.toLowerCase()]).toBe(backendSecret.value);
      expect(JSON.stringify(request.headers)).not.toContain(key);
    }
    await client.close();
  });

  it("audits the call under the host's X-Correlation-Id", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const client = await connect({ "X-Correlation-Id": correlationId });
    await client.callTool({ name: exposed("read_record"), arguments: { id: "r-9" } });
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId, action: "gateway.tools/call" } });
    expect(event).toMatchObject({ actorId: agentId, outcome: "success" });
    await client.close();
  });

  it("refuses schema-violating arguments before they reach the backend", async () => {
    const client = await connect();
    const before = fixture.received.filter((r) => r.toolCall).length;
    const result = await client.callTool({ name: exposed("search_records"), arguments: { query: "x", limit: 0 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/argument 'limit' must be >= 1/);
    expect(fixture.received.filter((r) => r.toolCall).length).toBe(before);
    await client.close();
  });

  it("does not forward a tool that needs approval until a person approves it, naming the request", async () => {
    const client = await connect();
    const before = fixture.received.filter((r) => r.toolCall?.name === "delete_record").length;
    const result = await client.callTool({ name: exposed("delete_record"), arguments: { id: "r-1" } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Approval request [0-9a-f-]{36} is still waiting/);
    expect(fixture.received.filter((r) => r.toolCall?.name === "delete_record").length).toBe(before);
    await client.close();
  });

  it("re-lists the backend's tools before a call to a tool that is not read-only once the last listing is older than the age, not before a read-only one", async () => {
    const client = await connect();
    const listings = () => fixture.received.filter((r) => r.rpcMethod === "tools/list").length;
    await client.callTool({ name: exposed("search_records"), arguments: { query: "warm" } });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = listings();
    expect((await client.callTool({ name: exposed("read_record"), arguments: { id: "r-5" } })).isError ?? false).toBe(false);
    expect(listings()).toBe(before);
    expect((await client.callTool({ name: exposed("search_records"), arguments: { query: "aged" } })).isError ?? false).toBe(false);
    expect(listings()).toBe(before + 1);
    await client.close();
  });

  it("refuses unknown tools precisely", async () => {
    const client = await connect();
    await expect(client.callTool({ name: "com.example_snope__x", arguments: {} })).rejects.toThrow(/no such tool/);
    await client.close();
  });
});

describe.each(eras)("governance at call time over MCP %s %s", (_era, _shape, connect) => {
  it("hides and refuses a killed tool", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId, toolName: "search_records", reason: "Leaks data" } });
    clearResolutionCache();
    const client = await connect();
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain(exposed("search_records"));
    await expect(client.callTool({ name: exposed("search_records"), arguments: {} })).rejects.toThrow(/kill switch: Leaks data/);
    await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
    clearResolutionCache();
    await client.close();
  });

  it("blocks a tool whose live definition drifted since certification", async () => {
    const [read, del, search] = defaultFixtureTools as [typeof defaultFixtureTools[0], typeof defaultFixtureTools[0], typeof defaultFixtureTools[0]];
    fixture.setTools([read, del, { ...search, description: "Finds records, and also emails them." }]);
    const client = await connect();
    await expect
      .poll(async () => {
        clearResolutionCache();
        return client.callTool({ name: exposed("search_records"), arguments: { query: "a" } }).then(() => "allowed", (error: Error) => error.message);
      }, { timeout: 10_000 })
      .toMatch(/definition drift since certification/);
    const incident = await db().driftIncident.findFirst({ where: { serverId, toolName: "search_records", resolvedAt: null } });
    expect(incident).not.toBeNull();
    fixture.setTools(defaultFixtureTools);
    // The next test starts from a resolved incident, so it sees its own detection.
    await expect.poll(() => db().driftIncident.count({ where: { serverId, resolvedAt: null } }), { timeout: 10_000 }).toBe(0);
    clearResolutionCache();
    await client.close();
  });
});

describe("what every call leaves behind", () => {

  it("writes an audit event for every call, with an argument hash and no raw arguments", async () => {
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { action: "gateway.tools/call", actorId: agentId } });
    expect(events.length).toBeGreaterThanOrEqual(10);
    expect(new Set(events.map((e) => e.outcome))).toEqual(new Set(["success", "denied"]));
    expect(events.every((e) => /^[0-9a-f]{64}$/.test((e.details as { argumentsHash?: string }).argumentsHash ?? ""))).toBe(true);
    expect(JSON.stringify(events.map((e) => e.details))).not.toContain("r-1");
  });

  it("counts every call by decision in the Prometheus metrics", async () => {
    const { body } = await metricsText();
    const count = (decision: string) => Number(new RegExp(`toolgate_gateway_calls_total\\{decision="${decision}"\\} (\\d+)`).exec(body)?.[1]);
    expect(count("allowed")).toBeGreaterThan(0);
    expect(count("refused")).toBeGreaterThan(0);
    expect(body).toMatch(/toolgate_gateway_call_duration_seconds_bucket\{le="0.005",decision="allowed"\}|toolgate_gateway_call_duration_seconds_bucket\{decision="allowed",le="0.005"\}/);
  });
});

describe("what is not certified stays hidden", () => {
  it("server-everything's tools, get-env among them, are neither listed nor callable until certified", async () => {
    const everything = await startServerEverything();
    try {
      const owner = await makeUser(["owner"]);
      const team = await makeTeam([owner]);
      const { id } = await registerServer(owner, {
        name: "org.example/everything",
        title: "Everything",
        purpose: "Reference server.",
        teamId: team.id,
        environments: ["prod"],
        classification: "internal",
        endpointUrl: everything.url,
        version: { version: "1.0.0" },
      });
      await grant(agentId, id);
      clearResolutionCache();
      const client = await legacyClient();
      expect((await client.listTools()).tools.map((t) => t.name).filter((name) => name.startsWith("org.example"))).toEqual([]);
      await expect(client.callTool({ name: "org.example_severything__get-env", arguments: {} })).rejects.toThrow(/no such tool/);
      await client.close();
    } finally {
      await everything.close();
    }
  }, 60_000);
});

describe("a backend that is down", () => {
  it("fails fast with a clear error once the breaker opens, and recovers when the backend is back", async () => {
    const port = Number(new URL(fixture.url).port);
    await closeAllBackends();
    await fixture.close();
    const client = await legacyClient();
    const call = () => client.callTool({ name: exposed("read_record"), arguments: { id: "r-2" } }).then(() => "ok", (error: Error) => error.message);
    for (let attempt = 0; attempt < 6; attempt++) await call();
    const started = performance.now();
    expect(await call()).toMatch(/circuit open/);
    expect(performance.now() - started).toBeLessThan(200);
    fixture = await startFixtureServer({ tools: defaultFixtureTools, requireHeader: backendSecret, port });
    await expect.poll(call, { timeout: 15_000, interval: 500 }).toBe("ok");
    await client.close();
  }, 30_000);
});

describe("bad input at the edge", () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...auth(), ...headers }, body });

  it("401 with a Protected Resource Metadata pointer without a valid key", async () => {
    const missing = await fetch(gateway.url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/resource_metadata=".*\/\.well-known\/oauth-protected-resource\/mcp"/);
    expect((await post("{}", { authorization: "Bearer tgk_nope" })).status).toBe(401);
  });

  it.each([
    ["malformed JSON", "{nope", {}, 400, /Parse error/],
    ["a JSON-RPC batch", JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "ping" }]), {}, 400, /batches are not supported/],
    ["a 10 MB body", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping", params: { pad: "x".repeat(10 * 1024 * 1024) } }), {}, 413, /exceeds/],
    ["a wrong Origin", JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }), { origin: "https://evil.example" }, 403, /may not call/],
  ])("%s", async (_case, body, headers, status, message) => {
    const response = await post(body, headers);
    expect(response.status).toBe(status);
    expect((await response.json()).error.message).toMatch(message);
  });

  it("an unknown method and a wrong Mcp-Name header get JSON-RPC errors", async () => {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
    const unknown = await post(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/frobnicate", params: { _meta: meta } }), {
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/frobnicate",
    });
    expect(JSON.stringify(await unknown.json())).toMatch(/-32601|not found/i);
    const mismatch = await post(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: exposed("read_record"), arguments: { id: "1" }, _meta: meta } }), {
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "tools/call",
      "mcp-name": exposed("delete_record"),
    });
    expect(mismatch.status).toBeGreaterThanOrEqual(400);
  });
});

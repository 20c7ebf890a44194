import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { clientEras, connectLegacy } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { grant } from "@/test/registry";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";
import { clearResolutionCache } from "./invalidation";

// /mcp/servers/{name}: one catalog entry's tools, unprefixed, through the same checks and audit as /mcp.

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let recordsId: string;
const records = "com.example/records";
const ledger = "com.example/ledger";
const hidden = "com.example/hidden";
const toolNames = defaultFixtureTools.map((tool) => tool.name).sort();

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ serverId: recordsId, agentId, key } = await governFixtureServer(fixture.url, { name: records }));
  // A second entry the same agent may use, and a third it may not (granted to another agent only).
  const second = await governFixtureServer(fixture.url, { name: ledger });
  await grant(agentId, second.serverId);
  await governFixtureServer(fixture.url, { name: hidden });
  gateway = await startGatewayServer();
});

afterAll(() => closeGatewayTest(gateway, fixture));

const endpoint = (name: string) => `${gateway.origin}/mcp/servers/${encodeURIComponent(name)}`;
const bearer = () => ({ Authorization: `Bearer ${key}` });
const eras = clientEras(bearer);

describe.each(eras)("an entry's own endpoint over MCP %s", (_era, connect) => {
  it("lists only that entry's tools, without the server prefix, while /mcp keeps both entries prefixed", async () => {
    const client = await connect(endpoint(records));
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual(toolNames);
    expect(tools[0]!._meta?.["io.toolgate/tool"]).toMatchObject({ server: records });
    await client.close();
    const whole = await connect(`${gateway.origin}/mcp`);
    const names = (await whole.listTools()).tools.map((tool) => tool.name);
    expect(names).toContain("com.example_srecords__read_record");
    expect(names).toContain("com.example_sledger__read_record");
    await whole.close();
  });

  it("calls a tool by its unprefixed name, audited like a call at /mcp with the endpoint named", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const client = await connect(endpoint(ledger), { "X-Correlation-Id": correlationId });
    const before = fixture.received.filter((r) => r.toolCall?.name === "read_record").length;
    const result = await client.callTool({ name: "read_record", arguments: { id: "r-7" } });
    expect(result.structuredContent).toEqual({ id: "r-7" });
    expect(fixture.received.filter((r) => r.toolCall?.name === "read_record").length).toBe(before + 1);
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirstOrThrow({ where: { correlationId, action: "gateway.tools/call" } });
    expect(event).toMatchObject({ actorId: agentId, outcome: "success" });
    expect(event.targetId ?? "").toBeTruthy();
    expect(JSON.stringify(event.details)).toContain("/mcp/servers/com.example%2Fledger");
    await client.close();
  });

  it("refuses a prefixed name, or another entry's tool, as no such tool", async () => {
    const client = await connect(endpoint(records));
    await expect(client.callTool({ name: "com.example_srecords__read_record", arguments: { id: "x" } })).rejects.toThrow(/no such tool: com\.example_srecords__read_record/);
    await expect(client.callTool({ name: "nope", arguments: {} })).rejects.toThrow(/no such tool: nope/);
    await client.close();
  });

  it("drops a killed tool here as at /mcp, and says why when it is called", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId: recordsId, toolName: "search_records", reason: "Leaks data" } });
    clearResolutionCache();
    try {
      const client = await connect(endpoint(records));
      expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain("search_records");
      await expect(client.callTool({ name: "search_records", arguments: { query: "x" } })).rejects.toThrow(/kill switch: Leaks data/);
      await client.close();
      const whole = await connect(`${gateway.origin}/mcp`);
      expect((await whole.listTools()).tools.map((tool) => tool.name)).not.toContain("com.example_srecords__search_records");
      await whole.close();
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
      clearResolutionCache();
    }
  });
});

describe("refusals of an endpoint", () => {
  const post = (path: string, headers: Record<string, string> = bearer()) =>
    fetch(`${gateway.origin}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });

  it("answers an unknown entry and one the agent holds no grant for alike: 404, audited", async () => {
    const unknown = await post(`/mcp/servers/${encodeURIComponent("com.example/nothing")}`);
    const ungranted = await post(`/mcp/servers/${encodeURIComponent(hidden)}`);
    expect([unknown.status, ungranted.status]).toEqual([404, 404]);
    const [a, b] = [(await unknown.json()) as { error: { message: string } }, (await ungranted.json()) as { error: { message: string } }];
    expect(a.error.message).toBe("No catalog entry com.example/nothing is available to this agent at /mcp/servers/com.example%2Fnothing.");
    expect(b.error.message.replace(hidden, "X").replace(encodeURIComponent(hidden), "Y")).toBe(a.error.message.replace("com.example/nothing", "X").replace(encodeURIComponent("com.example/nothing"), "Y"));
    flushEdgeRefusals();
    await flushGatewayAudit();
    const rows = await db().auditEvent.findMany({ where: { action: "gateway.edge", actorId: agentId } });
    // Refusals of the same kind from the same agent and address are summed into one event per window.
    const unavailable = rows.map((row) => row.details as { reason: string; sample?: string; count: number }).filter((details) => details.reason === "unavailable_endpoint");
    expect(unavailable).toEqual([expect.objectContaining({ status: 404, count: 2, sample: `/mcp/servers/${encodeURIComponent("com.example/nothing")}` })]);
  });

  it.each([
    ["a path trick", "/mcp/servers/..%2Fadmin"],
    ["a dot part", "/mcp/servers/com.example%2F.."],
    ["a control character", "/mcp/servers/com.example%2Frec%0Aords"],
    ["a NUL", "/mcp/servers/com.example%00%2Frecords"],
    ["an unencoded slash", "/mcp/servers/com.example/records"],
    ["bad percent-encoding", "/mcp/servers/com.example%2Frec%ZZ"],
    ["an oversized name", `/mcp/servers/com.example%2F${"a".repeat(300)}`],
    ["an empty name", "/mcp/servers/"],
    ["another path under /mcp", "/mcp/admin"],
  ])("refuses %s with 400, audited, before any handler", async (_case, path) => {
    const answer = await post(path);
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { error: { message: string } }).error.message).not.toMatch(/[\u0000-\u001f]/);
  });

  it("asks for the key before it says anything about the path", async () => {
    expect((await post(`/mcp/servers/${encodeURIComponent(hidden)}`, {})).status).toBe(401);
  });

  it("refuses a session opened at one endpoint when used at another", async () => {
    const client = await connectLegacy(endpoint(records), bearer());
    const sessionId = (client.transport as unknown as { sessionId?: string }).sessionId!;
    const answer = await post(`/mcp/servers/${encodeURIComponent(ledger)}`, { ...bearer(), "mcp-session-id": sessionId, "mcp-protocol-version": "2025-11-25" });
    expect(answer.status).toBe(404);
    await client.close();
  });

  it("counts the malformed paths in the audit trail", async () => {
    await post("/mcp/servers/..%2Fadmin");
    flushEdgeRefusals();
    await flushGatewayAudit();
    const rows = await db().auditEvent.findMany({ where: { action: "gateway.edge", actorId: agentId } });
    const malformed = rows.filter((row) => (row.details as { reason: string }).reason === "malformed_endpoint");
    expect(malformed.length).toBeGreaterThan(0);
    expect(JSON.stringify(malformed.map((row) => [row.reason, row.details]))).not.toMatch(/[\u0000\n]/);
  });
});

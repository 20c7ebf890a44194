import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { discoveryTools } from "@/lib/discovery/meta-tools";
import { db } from "@/lib/db/prisma";
import { clientEras, type GatewayClient, using } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { activatePolicyText } from "@/test/policy-sets";
import { grant } from "@/test/registry";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";
import { clearResolutionCache, isResolutionListening, startResolutionInvalidation } from "./invalidation";
import { namespacedToolName } from "./namespacing";

// Discovery mode (decision 034): tools/list shows search_tools, describe_tool and call_tool; search finds
// only what tools/list would have shown; describe and call go through the same checks as a direct call.

const invoiceTools: FixtureTool[] = [
  { name: "send_invoice", description: "Sends an invoice to a customer by email.", inputSchema: { type: "object", properties: { customer: { type: "string" } } } },
  { name: "list_invoices", description: "Lists the invoices of a customer.", inputSchema: { type: "object", properties: { customer: { type: "string" } } } },
];
const payrollTools: FixtureTool[] = [{ name: "run_payroll", description: "Pays employees their monthly salaries.", inputSchema: { type: "object" } }];
const draftTools: FixtureTool[] = [{ name: "archive_record", description: "Archives old records into cold storage.", inputSchema: { type: "object" } }];
// At an entry endpoint a real tool may share a meta-tool's name.
const clashTools: FixtureTool[] = [{ name: "search_tools", description: "Searches the workshop's tool inventory (hammers, saws).", inputSchema: { type: "object" } }];

const records = "com.example/records";
const invoices = "com.example/invoices";
const payroll = "com.example/payroll";
const drafts = "com.example/drafts";
const workshop = "com.example/workshop";

let fixtures: FixtureServer[] = [];
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let invoicesId: string;

beforeAll(async () => {
  const [recordsFixture, invoicesFixture, payrollFixture, draftsFixture, workshopFixture] = (fixtures = await Promise.all(
    [defaultFixtureTools, invoiceTools, payrollTools, draftTools, clashTools].map((tools) => startFixtureServer({ tools })),
  ));
  ({ agentId, key } = await governFixtureServer(recordsFixture!.url, { name: records }));
  const invoice = await governFixtureServer(invoicesFixture!.url, { name: invoices });
  invoicesId = invoice.serverId;
  await grant(agentId, invoicesId);
  // Certified and pinned, but granted to another agent only.
  await governFixtureServer(payrollFixture!.url, { name: payroll });
  // Granted to this agent, but its only version is deprecated and past its sunset: no longer certified.
  const draft = await governFixtureServer(draftsFixture!.url, { name: drafts });
  await grant(agentId, draft.serverId);
  await db().serverVersion.update({ where: { id: draft.versionId }, data: { status: "deprecated", sunsetAt: new Date(Date.now() - 60_000) } });
  const clash = await governFixtureServer(workshopFixture!.url, { name: workshop });
  await grant(agentId, clash.serverId);
  await db().agent.update({ where: { id: agentId }, data: { toolDiscovery: "search" } });
  gateway = await startGatewayServer();
});

afterAll(async () => {
  if (!gateway) return;
  await closeGatewayTest(gateway, fixtures[0]!);
  await Promise.all(fixtures.slice(1).map((fixture) => fixture.close()));
});

const at = (path: string) => `${gateway.origin}${path}`;
const entry = (name: string, query = "") => at(`/mcp/servers/${encodeURIComponent(name)}${query}`);
const bearer = () => ({ Authorization: `Bearer ${key}` });
const metaNames = discoveryTools.map((tool) => tool.name);
const exposed = (server: string, tool: string) => namespacedToolName(server, tool)!;

const eras = clientEras(bearer);

interface SearchAnswer {
  tools: { name: string; title?: string; summary: string }[];
}

async function search(client: GatewayClient, query: string, limit = 5): Promise<string[]> {
  const result = await client.callTool({ name: "search_tools", arguments: { query, limit } });
  expect(result.isError).toBeFalsy();
  const answer = result.structuredContent as unknown as SearchAnswer;
  expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(answer);
  return answer.tools.map((tool) => tool.name);
}

const errorOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as { code?: number; message: string });

describe.each(eras)("discovery mode over MCP %s", (_era, connect) => {
  it("lists exactly the three meta-tools when the agent is set to search, and every tool with ?tools=all", async () => {
    await using(connect(at("/mcp")), async (client) => {
      const { tools, nextCursor } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(metaNames);
      expect(tools[0]!.inputSchema).toMatchObject({ type: "object", required: ["query"] });
      expect(nextCursor).toBeUndefined();
    });
    await using(connect(at("/mcp?tools=all")), async (client) => {
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      expect(names).toContain(exposed(records, "read_record"));
      expect(names).not.toContain("search_tools");
    });
  });

  it("finds the tool that fits an intent, named as that endpoint names it, and only tools tools/list would show", async () => {
    await using(connect(at("/mcp")), async (client) => {
      expect((await search(client, "delete a record"))[0]).toBe(exposed(records, "delete_record"));
      expect((await search(client, "email an invoice to a customer"))[0]).toBe(exposed(invoices, "send_invoice"));
      expect((await search(client, "find records matching some text"))[0]).toBe(exposed(records, "search_records"));
      // Not granted, not certified: never found, however well they match.
      expect(await search(client, "pay employees monthly salaries payroll")).not.toContain(exposed(payroll, "run_payroll"));
      expect(await search(client, "archive old records into cold storage")).not.toContain(exposed(drafts, "archive_record"));
      const all = await search(client, "records invoices salaries storage customer employees hammers", 50);
      expect(all.some((name) => name.includes("payroll") || name.includes("drafts"))).toBe(false);
    });
    await using(connect(entry(records)), async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(metaNames);
      expect((await search(client, "delete a record"))[0]).toBe("delete_record");
      // An entry endpoint searches that entry's tools only.
      expect(await search(client, "send an invoice")).not.toContain("send_invoice");
    });
  });

  it("never finds a killed tool, and describe_tool refuses it as a call would be", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId: invoicesId, toolName: "send_invoice", reason: "Sends to the wrong people" } });
    clearResolutionCache();
    try {
      await using(connect(at("/mcp")), async (client) => {
        expect(await search(client, "send an invoice by email", 50)).not.toContain(exposed(invoices, "send_invoice"));
        const direct = await errorOf(client.callTool({ name: exposed(invoices, "send_invoice"), arguments: {} }));
        const described = await errorOf(client.callTool({ name: "describe_tool", arguments: { name: exposed(invoices, "send_invoice") } }));
        expect(direct?.message).toMatch(/kill switch: Sends to the wrong people/);
        expect(described).toEqual(direct);
      });
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
      clearResolutionCache();
    }
  });

  it("never finds a tool the active policy set forbids, and describe_tool refuses it with the call's words", async () => {
    await activatePolicyText(`${defaultPolicyText(["critical"])}\n@id("no-invoices")\nforbid (principal, action, resource) when { resource.name == "send_invoice" };\n`);
    clearResolutionCache();
    try {
      await using(connect(at("/mcp")), async (client) => {
        const found = await search(client, "send an invoice by email", 50);
        expect(found).toContain(exposed(invoices, "list_invoices"));
        expect(found).not.toContain(exposed(invoices, "send_invoice"));
        const direct = await errorOf(client.callTool({ name: exposed(invoices, "send_invoice"), arguments: {} }));
        expect(direct?.message).toMatch(/forbidden by policy no-invoices/);
        expect(await errorOf(client.callTool({ name: "describe_tool", arguments: { name: exposed(invoices, "send_invoice") } }))).toEqual(direct);
      });
    } finally {
      await activatePolicyText(defaultPolicyText(["critical"]));
      clearResolutionCache();
    }
  });

  it("describes a usable tool with its full listed definition; refuses one not granted exactly as a call, audited", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    await using(connect(at("/mcp"), { "X-Correlation-Id": correlationId }), async (client) => {
      const result = await client.callTool({ name: "describe_tool", arguments: { name: exposed(records, "read_record") } });
      expect(result.structuredContent).toMatchObject({
        name: exposed(records, "read_record"),
        title: "Read record",
        inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
        outputSchema: { type: "object" },
        _meta: { "io.toolgate/tool": { server: records, tool: "read_record" } },
      });
      const forbidden = exposed(payroll, "run_payroll");
      const direct = await errorOf(client.callTool({ name: forbidden, arguments: {} }));
      const described = await errorOf(client.callTool({ name: "describe_tool", arguments: { name: forbidden } }));
      expect(direct).toMatchObject({ code: -32602, message: expect.stringContaining(`no such tool: ${forbidden}`) });
      expect(described).toEqual(direct);
    });
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.tools/call" }, orderBy: { id: "asc" } });
    const describes = events.filter((event) => (event.details as { tool?: string }).tool === "describe_tool");
    expect(describes.map((event) => event.outcome)).toEqual(["success", "denied"]);
    expect(describes[1]!.reason).toMatch(/not granted to this agent/);
  });

  it("runs a real tool through call_tool, and audits both the meta-tool's call and the tool's, the latter via call_tool", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    await using(connect(at("/mcp"), { "X-Correlation-Id": correlationId }), async (client) => {
      const before = fixtures[0]!.received.filter((r) => r.toolCall?.name === "read_record").length;
      const result = await client.callTool({ name: "call_tool", arguments: { name: exposed(records, "read_record"), arguments: { id: "r-9" } } });
      expect(result.structuredContent).toEqual({ id: "r-9" });
      expect(fixtures[0]!.received.filter((r) => r.toolCall?.name === "read_record").length).toBe(before + 1);
      // A direct call of a real tool still works: the host may have remembered its name.
      expect((await client.callTool({ name: exposed(records, "read_record"), arguments: { id: "r-10" } })).structuredContent).toEqual({ id: "r-10" });
      // The inner call's checks hold: a refused tool is refused through call_tool as directly.
      const forbidden = exposed(payroll, "run_payroll");
      expect(await errorOf(client.callTool({ name: "call_tool", arguments: { name: forbidden } }))).toEqual(await errorOf(client.callTool({ name: forbidden, arguments: {} })));
      // Invalid arguments for the tool: the tool's own validation answers.
      const invalid = await client.callTool({ name: "call_tool", arguments: { name: exposed(records, "read_record"), arguments: { id: 7 } } });
      expect(invalid.isError).toBe(true);
    });
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.tools/call" }, orderBy: { id: "asc" } });
    const details: Record<string, unknown>[] = events.map((event) => ({ outcome: event.outcome, ...(event.details as Record<string, unknown>) }));
    expect(details.find((event) => event.tool === "call_tool")).toMatchObject({ outcome: "success", calls: exposed(records, "read_record") });
    expect(details.find((event) => event.tool === "read_record")).toMatchObject({ outcome: "success", via: "call_tool" });
    expect(details.filter((event) => event.tool === "read_record" && event.via === undefined)).toHaveLength(1);
    // call_tool's own event: refused when the inner call was refused, a failure when it answered with a tool error.
    expect(details.filter((event) => event.tool === "call_tool").map((event) => event.outcome)).toEqual(["success", "denied", "failure"]);
    expect(details.find((event) => event.tool === "read_record" && event.outcome === "denied")).toMatchObject({ via: "call_tool" });
  });

  it("answers bad input to a meta-tool with a clear tool error, audited", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ["call_tool", {}, /call_tool: name must be the name of a tool/],
      ["call_tool", { name: exposed(records, "read_record"), arguments: "id=7" }, /arguments must be an object/],
      ["call_tool", { name: exposed(records, "read_record"), arguments: [1, 2] }, /arguments must be an object/],
      ["call_tool", { name: "read\u0000record" }, /control or bidirectional-override/],
      ["call_tool", { name: "x".repeat(300) }, /at most 256 characters/],
      ["call_tool", { name: "a", args: {} }, /takes only name and arguments/],
      ["describe_tool", { name: 42 }, /name must be the name of a tool/],
      ["search_tools", { query: "q".repeat(501) }, /at most 500/],
      ["search_tools", { query: "line\nbreak" }, /./],
      ["search_tools", { query: "records", limit: "many" }, /limit must be a whole number/],
      ["search_tools", { query: "records", limit: 51 }, /at most 50/],
      ["search_tools", {}, /query/i],
      ["search_tools", { query: "records", filter: "x" }, /takes only query and limit/],
    ];
    await using(connect(at("/mcp"), { "X-Correlation-Id": correlationId }), async (client) => {
      for (const [name, args, message] of cases) {
        const result = await client.callTool({ name, arguments: args });
        expect(result.isError, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
        expect((result.content as { text: string }[])[0]!.text).toMatch(message);
      }
    });
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.tools/call" } });
    expect(events).toHaveLength(cases.length);
    expect(events.every((event) => event.outcome === "denied" && event.reason !== null)).toBe(true);
    expect(JSON.stringify(events.map((event) => [event.reason, event.details]))).not.toMatch(/\\u0000/);
  });

  it("at an entry endpoint whose tool is named search_tools, the meta-tool wins; call_tool reaches the tool", async () => {
    await using(connect(entry(workshop)), async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(metaNames);
      expect(await search(client, "hammers and saws inventory")).toEqual(["search_tools"]);
      const before = fixtures[4]!.received.filter((r) => r.toolCall?.name === "search_tools").length;
      await client.callTool({ name: "call_tool", arguments: { name: "search_tools", arguments: {} } });
      expect(fixtures[4]!.received.filter((r) => r.toolCall?.name === "search_tools").length).toBe(before + 1);
    });
    await using(connect(entry(workshop, "?tools=all")), async (client) => {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["search_tools"]);
    });
  });
});

describe("opting in", () => {
  const list = (path: string) =>
    fetch(at(path), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/list", ...bearer() },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } } }),
    });
  const names = async (response: Response) => ((await response.json()) as { result: { tools: { name: string }[] } }).result.tools.map((tool) => tool.name);

  it("follows the agent's setting, and the cached view drops when it changes (the agents trigger)", async () => {
    // While a listener is up, cached views never expire: only the trigger's NOTIFY can drop this one.
    const stop = await startResolutionInvalidation();
    expect(isResolutionListening()).toBe(true);
    expect(await names(await list("/mcp"))).toEqual(metaNames);
    await db().agent.update({ where: { id: agentId }, data: { toolDiscovery: "all" } });
    try {
      // No clearResolutionCache here: the NOTIFY of the agents trigger must drop the view.
      let seen: string[] = [];
      for (let attempt = 0; attempt < 30 && !seen.includes(exposed(records, "read_record")); attempt++) {
        seen = await names(await list("/mcp"));
        if (!seen.includes(exposed(records, "read_record"))) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(seen).toContain(exposed(records, "read_record"));
      // The query parameter asks for the mode per request, at any endpoint.
      expect(await names(await list("/mcp?tools=search"))).toEqual(metaNames);
      expect(await names(await list(`/mcp/servers/${encodeURIComponent(records)}?tools=search`))).toEqual(metaNames);
      expect(await names(await list(`/mcp/servers/${encodeURIComponent(records)}`))).toContain("read_record");
    } finally {
      await stop();
      await db().agent.update({ where: { id: agentId }, data: { toolDiscovery: "search" } });
      clearResolutionCache();
    }
  });

  it.each([
    ["an unknown value", "?tools=some"],
    ["an empty value", "?tools="],
    ["a repeated parameter", "?tools=search&tools=all"],
    ["a control character", "?tools=search%0A"],
    ["an oversized value", `?tools=${"s".repeat(5000)}`],
  ])("refuses %s of the tools parameter with 400, audited", async (_case, query) => {
    const answer = await list(`/mcp${query}`);
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: { message: string } };
    expect(error.message).toMatch(/tools query parameter/);
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    expect(error.message.length).toBeLessThan(400);
  });

  it("counts refused tools parameters in the audit trail", async () => {
    await list("/mcp?tools=bogus");
    flushEdgeRefusals();
    await flushGatewayAudit();
    const rows = await db().auditEvent.findMany({ where: { action: "gateway.edge", actorId: agentId } });
    expect(rows.some((row) => (row.details as { reason: string }).reason === "malformed_tools_mode")).toBe(true);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { clientEras, using } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { startServerEverything } from "@/test/server-everything";
import { flushGatewayAudit } from "./audit-queue";
import { cappedCompletion } from "./completion";
import { clearResolutionCache } from "./invalidation";
import { namespacedToolName } from "./namespacing";

// completion/complete through the gateway (decision 034), against server-everything, which completes its
// completable-prompt's arguments and its dynamic text template's {resourceId}.

const everythingName = "org.example/everything";
const template = "demo://resource/dynamic/text/{resourceId}";
let everything: Awaited<ReturnType<typeof startServerEverything>>;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let serverId: string;

beforeAll(async () => {
  everything = await startServerEverything();
  ({ key, agentId, serverId } = await governFixtureServer(everything.url, { name: everythingName }));
  gateway = await startGatewayServer();
});

afterAll(async () => {
  if (gateway) await closeGatewayTest(gateway, everything);
  else await everything?.close();
});

const bearer = () => ({ Authorization: `Bearer ${key}` });
const prompt = namespacedToolName(everythingName, "completable-prompt")!;
const entryUrl = () => `${gateway.origin}/mcp/servers/${encodeURIComponent(everythingName)}`;
const eras = clientEras(bearer);

const errorOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as { code?: number; message: string });

describe.each(eras)("completion/complete over MCP %s", (_era, connect) => {
  it("declares the completions capability and completes a prompt's arguments at /mcp, audited", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    await using(connect(gateway.url, { "X-Correlation-Id": correlationId }), async (client) => {
      expect(client.getServerCapabilities()?.completions).toEqual({});
      const department = await client.complete({ ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: "E" } });
      expect(department.completion.values).toEqual(["Engineering"]);
      const person = await client.complete({ ref: { type: "ref/prompt", name: prompt }, argument: { name: "name", value: "" }, context: { arguments: { department: "Sales" } } });
      expect(person.completion.values).toEqual(["David", "Eve", "Frank"]);
    });
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.completion/complete" } });
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({ actorId: agentId, outcome: "success", targetId: serverId });
    expect(events.map((event) => (event.details as { argument: string }).argument).sort()).toEqual(["department", "name"]);
  });

  it("completes a resource template's variable", async () => {
    await using(connect(gateway.url), async (client) => {
      const result = await client.complete({ ref: { type: "ref/resource", uri: template }, argument: { name: "resourceId", value: "3" } });
      expect(result.completion.values).toEqual(["3"]);
    });
  });

  it("at the entry's own endpoint, completes the prompt by its own name", async () => {
    await using(connect(entryUrl()), async (client) => {
      const result = await client.complete({ ref: { type: "ref/prompt", name: "completable-prompt" }, argument: { name: "department", value: "S" } });
      expect(result.completion.values).toEqual(["Sales", "Support"]);
      expect((await client.complete({ ref: { type: "ref/resource", uri: template }, argument: { name: "resourceId", value: "12" } })).completion.values).toEqual(["12"]);
      // The prefixed name is /mcp's, not this endpoint's.
      expect(await errorOf(client.complete({ ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: "S" } }))).toMatchObject({ code: -32602, message: expect.stringContaining(`no such prompt: ${prompt}`) });
    });
  });

  it("refuses an unknown prompt or template, and an argument the prompt does not take, with clear errors", async () => {
    await using(connect(gateway.url), async (client) => {
      expect(await errorOf(client.complete({ ref: { type: "ref/prompt", name: "nope" }, argument: { name: "a", value: "" } }))).toMatchObject({ code: -32602, message: expect.stringContaining("no such prompt: nope") });
      expect(await errorOf(client.complete({ ref: { type: "ref/resource", uri: "demo://nothing/{x}" }, argument: { name: "x", value: "" } }))).toMatchObject({ message: expect.stringContaining("no such resource template: demo://nothing/{x}") });
      expect(await errorOf(client.complete({ ref: { type: "ref/prompt", name: prompt }, argument: { name: "city", value: "L" } }))).toMatchObject({ message: expect.stringContaining('has no argument "city"; it takes department, name') });
      expect(await errorOf(client.complete({ ref: { type: "ref/resource", uri: template }, argument: { name: "resourceId", value: "1" }, context: { arguments: { other: "x" } } }))).toMatchObject({ message: expect.stringContaining('has no argument "other"') });
    });
  });

  it("refuses completion for an entry stopped by a kill switch, audited", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "server", serverId, reason: "Investigating" } });
    clearResolutionCache();
    const correlationId = `corr-${crypto.randomUUID()}`;
    try {
      await using(connect(gateway.url, { "X-Correlation-Id": correlationId }), async (client) => {
        expect(await errorOf(client.complete({ ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: "E" } }))).toMatchObject({ message: expect.stringContaining(`no such prompt: ${prompt}`) });
        expect(await errorOf(client.complete({ ref: { type: "ref/resource", uri: template }, argument: { name: "resourceId", value: "3" } }))).toMatchObject({ message: expect.stringContaining("no such resource template") });
      });
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
      clearResolutionCache();
    }
    await flushGatewayAudit();
    const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.completion/complete" } });
    expect(events.map((event) => event.outcome)).toEqual(["denied", "denied"]);
  });
});

describe("malformed completion requests", () => {
  const post = (params: unknown) =>
    fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "completion/complete", ...bearer() },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "completion/complete",
        params: { ...(params as object), _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} } },
      }),
    });

  it.each([
    ["no ref", { argument: { name: "department", value: "E" } }, /params\.ref must be/],
    ["an unknown ref type", { ref: { type: "ref/tool", name: "x" }, argument: { name: "department", value: "E" } }, /params\.ref must be/],
    ["a value that is not a string", { ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: 7 } }, /params\.argument\.value must be a string/],
    ["a control character in the value", { ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: "E\u0000" } }, /must not contain control/],
    ["an oversized value", { ref: { type: "ref/prompt", name: prompt }, argument: { name: "department", value: "E".repeat(5000) } }, /longer than 4096/],
    ["an oversized name", { ref: { type: "ref/prompt", name: "p".repeat(300) }, argument: { name: "department", value: "E" } }, /longer than 256/],
    ["context values that are not strings", { ref: { type: "ref/prompt", name: prompt }, argument: { name: "name", value: "" }, context: { arguments: { department: ["Sales"] } } }, /must be a string/],
  ])("refuses %s with -32602, audited", async (_case, params, message) => {
    const answer = (await (await post(params)).json()) as { error?: { code: number; message: string } };
    expect(answer.error).toMatchObject({ code: -32602, message: expect.stringMatching(message) });
    await flushGatewayAudit();
    const event = await db().auditEvent.findFirst({ where: { action: "gateway.completion/complete", reason: answer.error!.message } });
    expect(event).toMatchObject({ outcome: "denied" });
  });
});

describe("the cap on values", () => {
  it("passes at most 100 values on, saying there are more", () => {
    const values = Array.from({ length: 150 }, (_, index) => `v${index}`);
    expect(cappedCompletion({ completion: { values, total: 150 } })).toEqual({ completion: { values: values.slice(0, 100), total: 150, hasMore: true } });
    expect(cappedCompletion({ completion: { values: ["a"] } })).toEqual({ completion: { values: ["a"] } });
  });
});

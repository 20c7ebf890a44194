import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { updateHostPatterns } from "@/lib/catalog/edit";
import { db } from "@/lib/db/prisma";
import { metricsText } from "@/lib/observability/metrics";
import { connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { agentWithKey, grant } from "@/test/registry";
import { argumentsHash, flushGatewayAudit } from "./audit-queue";
import { deleteExpiredIdempotencyKeys } from "./idempotency";
import { clearResolutionCache, startResolutionInvalidation } from "./invalidation";
import { resolveAgentView } from "./resolution";
import { resultCacheKey } from "./result-cache";
import { idempotencyKeyField } from "./idempotency-key";

// Host patterns (decision 035) through the gateway, with the SDK clients of both eras against a fixture
// server that counts what it executes: the result cache of read-only, idempotent tools and idempotency keys.

const tools: FixtureTool[] = [
  { name: "lookup", description: "Looks a word up.", inputSchema: { type: "object", properties: { q: { type: "string" } } }, annotations: { readOnlyHint: true, idempotentHint: true } },
  { name: "clock", description: "Tells the time.", inputSchema: { type: "object" }, annotations: { readOnlyHint: true } },
  { name: "create_record", description: "Creates a record.", inputSchema: { type: "object", properties: { title: { type: "string" } } } },
];

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let serverId: string;
let agent: { agentId: string; key: string };
let other: { agentId: string; key: string };
let owner: Parameters<typeof updateHostPatterns>[0];
const exposed = (tool: string) => `com.example_shosts__${tool}`;
const executed: Record<string, number> = {};
let delayMs = 0;
let failNext = 0;
let stopListening: () => Promise<void>;

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools,
    respond: async (name, args) => {
      const n = (executed[name] = (executed[name] ?? 0) + 1);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (name === "create_record" && failNext > 0) {
        failNext--;
        return { content: [{ type: "text", text: "backend said no" }], isError: true };
      }
      return { content: [{ type: "text", text: `${name} ${JSON.stringify(args)} #${n}` }] };
    },
  });
  const governed = await governFixtureServer(fixture.url, { name: "com.example/hosts" });
  ({ serverId, owner } = governed);
  agent = governed;
  other = await agentWithKey("prod");
  await grant(other.agentId, serverId);
  await updateHostPatterns(owner, serverId, { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 600 });
  // Views live until a change is notified, as in the app: a view reloaded between two calls would miss.
  stopListening = await startResolutionInvalidation();
  gateway = await startGatewayServer();
});

afterAll(async () => {
  await closeGatewayTest(gateway, fixture);
  await stopListening();
});

const eras = [
  ["2025-11-25", connectLegacy],
  ["2026-07-28", connectModern],
] as const;

const text = (result: unknown) => ((result as CallToolResult).content[0] as { text: string }).text;
const leanCalls = async () => Number(/^toolgate_gateway_lean_calls_total (\d+)/m.exec((await metricsText()).body)?.[1]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function auditDetails(correlationId: string) {
  await flushGatewayAudit();
  const events = await db().auditEvent.findMany({ where: { correlationId, action: "gateway.tools/call" }, orderBy: { occurredAt: "asc" } });
  return events.map((event) => ({ outcome: event.outcome, reason: event.reason, details: event.details as Record<string, unknown> }));
}

describe.each(eras)("host patterns over MCP %s", (era, connect) => {
  const open = async (who = agent, correlationId = `hp-${crypto.randomUUID()}`) => ({ client: await connect(gateway.url, { Authorization: `Bearer ${who.key}`, "X-Correlation-Id": correlationId }), correlationId });

  it("answers a second identical read of a read-only, idempotent tool from the cache within its TTL, and from the backend after", async () => {
    const { client, correlationId } = await open();
    const args = { q: `word-${era}` };
    const before = executed.lookup ?? 0;
    const first = await client.callTool({ name: exposed("lookup"), arguments: args });
    const second = await client.callTool({ name: exposed("lookup"), arguments: args });
    expect(text(second)).toBe(text(first));
    expect(executed.lookup).toBe(before + 1);
    // Other arguments are another entry.
    await client.callTool({ name: exposed("lookup"), arguments: { q: "other" } });
    expect(executed.lookup).toBe(before + 2);
    await sleep(1_100);
    const third = await client.callTool({ name: exposed("lookup"), arguments: args });
    expect(text(third)).not.toBe(text(first));
    expect(executed.lookup).toBe(before + 3);
    const events = await auditDetails(correlationId);
    expect(events.map((event) => event.details.cache ?? null)).toEqual([null, "hit", null, null]);
    expect(events.every((event) => event.outcome === "success")).toBe(true);
    expect((await metricsText()).body).toMatch(/toolgate_gateway_result_cache_total\{outcome="hit"\} [1-9]/);
    await client.close();
  });

  it("never caches a read-only tool that does not declare itself idempotent", async () => {
    const { client } = await open();
    const before = executed.clock ?? 0;
    await client.callTool({ name: exposed("clock"), arguments: {} });
    await client.callTool({ name: exposed("clock"), arguments: {} });
    expect(executed.clock).toBe(before + 2);
    await client.close();
  });

  it("never shares a cached result between agents", async () => {
    const mine = await open();
    const theirs = await open(other);
    const args = { q: `shared-${era}` };
    const before = executed.lookup ?? 0;
    const a = await mine.client.callTool({ name: exposed("lookup"), arguments: args });
    const b = await theirs.client.callTool({ name: exposed("lookup"), arguments: args });
    expect(executed.lookup).toBe(before + 2);
    expect(text(b)).not.toBe(text(a));
    await mine.client.close();
    await theirs.client.close();
  });

  it("refuses a cached tool once a kill switch stops it, and does not answer from before the switch once it is cleared", async () => {
    const { client } = await open();
    const args = { q: `killed-${era}` };
    const first = await client.callTool({ name: exposed("lookup"), arguments: args });
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId, toolName: "lookup", reason: "Leaks data" } });
    try {
      await expect.poll(() => client.callTool({ name: exposed("lookup"), arguments: args }).then(() => "answered", (error: Error) => error.message), { timeout: 10_000 }).toMatch(/kill switch/);
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "test over" } });
    }
    const before = executed.lookup ?? 0;
    await expect.poll(() => client.callTool({ name: exposed("lookup"), arguments: args }).then(text, () => "refused"), { timeout: 10_000 }).not.toBe("refused");
    expect(executed.lookup).toBe(before + 1);
    expect(text(await client.callTool({ name: exposed("lookup"), arguments: args }))).not.toBe(text(first));
    await client.close();
  });

  const keyed = (key: unknown) => ({ [idempotencyKeyField]: key });

  it("keys a cached result by the load of the agent's view, so nothing cached before a reload is answered after it", async () => {
    const before = (await resolveAgentView(agent.agentId)).toolsByName.get(exposed("lookup"))!;
    clearResolutionCache();
    const after = (await resolveAgentView(agent.agentId)).toolsByName.get(exposed("lookup"))!;
    expect(after.viewGeneration).not.toBe(before.viewGeneration);
    const caller = { agentId: agent.agentId, name: "a", onBehalfOf: null } as unknown as Parameters<typeof resultCacheKey>[0];
    expect(resultCacheKey(caller, after, "hash")).not.toBe(resultCacheKey(caller, before, "hash"));
  });

  it("acts once for two calls with the same idempotency key, and replays the first result", async () => {
    const { client, correlationId } = await open();
    const key = `order-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    const leanBefore = await leanCalls();
    const first = await client.callTool({ name: exposed("create_record"), arguments: { title: "a" }, _meta: keyed(key) });
    const retry = await client.callTool({ name: exposed("create_record"), arguments: { title: "a" }, _meta: keyed(key) });
    expect(executed.create_record).toBe(before + 1);
    expect(text(retry)).toBe(text(first));
    // Without a key, or with another one, the call acts.
    await client.callTool({ name: exposed("create_record"), arguments: { title: "a" } });
    await client.callTool({ name: exposed("create_record"), arguments: { title: "a" }, _meta: keyed(`${key}-2`) });
    expect(executed.create_record).toBe(before + 3);
    const events = await auditDetails(correlationId);
    expect(events.map((event) => event.details.idempotency ?? null)).toEqual([null, "replay", null, null]);
    // All four on the lean path, which carries the key as the SDK path does.
    expect(await leanCalls()).toBe(leanBefore + 4);
    await client.close();
  });

  it("honours the key on the SDK path too (a call with a progress token does not take the lean path)", async () => {
    const { client, correlationId } = await open();
    const key = `sdk-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    const meta = { ...keyed(key), progressToken: `p-${key}` };
    const leanBefore = await leanCalls();
    const first = await client.callTool({ name: exposed("create_record"), arguments: { title: "sdk" }, _meta: meta });
    const retry = await client.callTool({ name: exposed("create_record"), arguments: { title: "sdk" }, _meta: meta });
    expect(text(retry)).toBe(text(first));
    expect(executed.create_record).toBe(before + 1);
    expect((await auditDetails(correlationId)).map((event) => event.details.idempotency ?? null)).toEqual([null, "replay"]);
    expect(await leanCalls()).toBe(leanBefore);
    await client.close();
  });

  it("acts once for two concurrent calls with the same key: the second waits for the first's result", async () => {
    const first = await open();
    const second = await open();
    const key = `concurrent-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    delayMs = 400;
    try {
      const call = (client: typeof first.client) => client.callTool({ name: exposed("create_record"), arguments: { title: "b" }, _meta: keyed(key) });
      const [a, b] = await Promise.all([call(first.client), call(second.client)]);
      expect(text(a)).toBe(text(b));
    } finally {
      delayMs = 0;
    }
    expect(executed.create_record).toBe(before + 1);
    const events = [...(await auditDetails(first.correlationId)), ...(await auditDetails(second.correlationId))];
    expect(events.map((event) => event.details.idempotency ?? null).sort()).toEqual([null, "replay"].sort());
    await first.client.close();
    await second.client.close();
  });

  it("refuses a key reused with different arguments, audited", async () => {
    const { client, correlationId } = await open();
    const key = `reuse-${crypto.randomUUID()}`;
    await client.callTool({ name: exposed("create_record"), arguments: { title: "c" }, _meta: keyed(key) });
    const before = executed.create_record ?? 0;
    await expect(client.callTool({ name: exposed("create_record"), arguments: { title: "d" }, _meta: keyed(key) })).rejects.toThrow(/idempotency key reused with different arguments/);
    expect(executed.create_record).toBe(before);
    const events = await auditDetails(correlationId);
    expect(events[1]).toMatchObject({ outcome: "denied", reason: expect.stringMatching(/idempotency key reused/) });
    await client.close();
  });

  it("keeps keys per agent: another agent's same key acts on its own", async () => {
    const mine = await open();
    const theirs = await open(other);
    const key = `per-agent-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    await mine.client.callTool({ name: exposed("create_record"), arguments: { title: "e" }, _meta: keyed(key) });
    await theirs.client.callTool({ name: exposed("create_record"), arguments: { title: "f" }, _meta: keyed(key) });
    expect(executed.create_record).toBe(before + 2);
    await mine.client.close();
    await theirs.client.close();
  });

  it("gives a failed first call's key up, so a retry acts", async () => {
    const { client } = await open();
    const key = `failed-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    failNext = 1;
    const failed = await client.callTool({ name: exposed("create_record"), arguments: { title: "g" }, _meta: keyed(key) });
    expect(failed.isError).toBe(true);
    const retry = await client.callTool({ name: exposed("create_record"), arguments: { title: "g" }, _meta: keyed(key) });
    expect(retry.isError ?? false).toBe(false);
    expect(executed.create_record).toBe(before + 2);
    await client.close();
  });

  it.each([
    ["a number", 42, /must be a string/],
    ["empty", "", /must not be empty/],
    ["too long", "k".repeat(201), /longer than 200 characters/],
    ["a control character", "key\u0000one", /visible ASCII/],
    ["a space", "key one", /visible ASCII/],
    ["a bidirectional override", "key\u202eone", /visible ASCII/],
  ])("refuses a key that is %s with -32602, audited, without calling the backend", async (_what, key, message) => {
    const { client, correlationId } = await open();
    const before = executed.create_record ?? 0;
    await expect(client.callTool({ name: exposed("create_record"), arguments: { title: "h" }, _meta: keyed(key) })).rejects.toThrow(message);
    expect(executed.create_record).toBe(before);
    const events = await auditDetails(correlationId);
    expect(events).toEqual([expect.objectContaining({ outcome: "denied", reason: expect.stringMatching(message) })]);
    await client.close();
  });
});

describe("idempotency keys over time", () => {
  const keyed = (key: string) => ({ [idempotencyKeyField]: key });

  it("tells a retry that outwaits its wait for the first call to retry, and the first call still acts once", async () => {
    const first = await connectLegacy(gateway.url, { Authorization: `Bearer ${agent.key}` });
    const second = await connectLegacy(gateway.url, { Authorization: `Bearer ${agent.key}` });
    const key = `slow-${crypto.randomUUID()}`;
    const before = executed.create_record ?? 0;
    delayMs = 3_600;
    try {
      const slow = first.callTool({ name: exposed("create_record"), arguments: { title: "slow" }, _meta: keyed(key) });
      await sleep(200);
      await expect(second.callTool({ name: exposed("create_record"), arguments: { title: "slow" }, _meta: keyed(key) })).rejects.toThrow(/still in progress: retry shortly/);
      const result = await slow;
      expect(text(await second.callTool({ name: exposed("create_record"), arguments: { title: "slow" }, _meta: keyed(key) }))).toBe(text(result));
    } finally {
      delayMs = 0;
    }
    expect(executed.create_record).toBe(before + 1);
    await first.close();
    await second.close();
  });

  it("says so when the first call with a key was interrupted at its backend, rather than acting again", async () => {
    const key = `interrupted-${crypto.randomUUID()}`;
    const args = { title: "lost" };
    await db().idempotencyRecord.create({
      data: { agentId: agent.agentId, key, serverId, tool: "create_record", argumentsHash: argumentsHash(args), createdAt: new Date(Date.now() - 130_000), expiresAt: new Date(Date.now() + 60_000) },
    });
    const client = await connectLegacy(gateway.url, { Authorization: `Bearer ${agent.key}` });
    const before = executed.create_record ?? 0;
    await expect(client.callTool({ name: exposed("create_record"), arguments: args, _meta: keyed(key) })).rejects.toThrow(/interrupted at its backend; whether it acted is unknown/);
    expect(executed.create_record).toBe(before);
    await client.close();
  });

  it("acts again once the key's window has passed, and expired keys are deleted", async () => {
    const key = `expired-${crypto.randomUUID()}`;
    const args = { title: "old" };
    await db().idempotencyRecord.create({
      data: { agentId: agent.agentId, key, serverId, tool: "create_record", argumentsHash: argumentsHash(args), status: "done", result: { content: [{ type: "text", text: "from long ago" }] }, expiresAt: new Date(Date.now() - 1_000) },
    });
    const client = await connectLegacy(gateway.url, { Authorization: `Bearer ${agent.key}` });
    const before = executed.create_record ?? 0;
    expect(text(await client.callTool({ name: exposed("create_record"), arguments: args, _meta: keyed(key) }))).not.toBe("from long ago");
    expect(executed.create_record).toBe(before + 1);
    await client.close();
    const stale = `stale-${crypto.randomUUID()}`;
    await db().idempotencyRecord.create({ data: { agentId: other.agentId, key: stale, serverId, tool: "create_record", argumentsHash: "x", expiresAt: new Date(Date.now() - 1_000) } });
    expect(await deleteExpiredIdempotencyKeys()).toBeGreaterThanOrEqual(1);
    expect(await db().idempotencyRecord.count({ where: { key: stale } })).toBe(0);
    expect(await db().idempotencyRecord.count({ where: { key } })).toBe(1);
  });
});

describe("an entry whose owner turned idempotency keys off", () => {
  it("refuses a keyed call to a write tool, and still serves a read-only one", async () => {
    await updateHostPatterns(owner, serverId, { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 0 });
    const client = await connectLegacy(gateway.url, { Authorization: `Bearer ${agent.key}` });
    const keyed = { [idempotencyKeyField]: `off-${crypto.randomUUID()}` };
    await expect.poll(() => client.callTool({ name: exposed("create_record"), arguments: { title: "i" }, _meta: keyed }).then(() => "answered", (error: Error) => error.message), { timeout: 10_000 }).toMatch(/accepts no idempotency keys/);
    expect((await client.callTool({ name: exposed("lookup"), arguments: { q: "off" }, _meta: keyed })).isError ?? false).toBe(false);
    await client.close();
  });
});

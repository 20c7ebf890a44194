import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { eras, type GovernedGateway, RawParams, startGovernedGateway } from "@/test/governed-gateway";
import { flushGatewayAudit } from "./audit-queue";
import { maxArgumentDepth, maxArgumentNodes } from "./call-input";

// What reaches the gateway as a tools/call is checked before anything recursive or stored touches it:
// a malformed shape, an unsafe or absurd name, arguments too deep or too large each get a clear -32602
// that names the field, are audited, and leave the gateway serving the next call.

let gateway: GovernedGateway;

beforeAll(async () => {
  gateway = await startGovernedGateway();
});

afterAll(async () => {
  await gateway.close();
});

function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

/** `{"a":{"a":…{"leaf":true}…}}` as text: JSON.stringify itself overflows on it. */
function nestedJson(depth: number): string {
  return `${'{"a":'.repeat(depth)}{"leaf":true}${"}".repeat(depth)}`;
}

async function auditRow(correlationId: string) {
  await flushGatewayAudit();
  return db().auditEvent.findFirst({ where: { correlationId, action: "gateway.tools/call" } });
}

const zodDump = /invalid_type|"path"|"expected"|"code"/;

describe("through the 2025-era SDK client", () => {
  // The 2026-07-28 client repeats the name in the Mcp-Name header, which cannot carry these characters:
  // its fetch throws before anything is sent, so only the raw requests below reach the modern leg.
  it("a NUL in the tool name is refused with -32602 and the session keeps serving", async () => {
    const client = await gateway.connect("legacy");
    await expect(client.callTool({ name: "evil\u0000tool", arguments: {} })).rejects.toMatchObject({ code: -32602, message: expect.stringMatching(/params\.name must not contain control/) });
    expect((await client.callTool({ name: gateway.exposed("read_record"), arguments: { id: "r-3" } })).structuredContent).toEqual({ id: "r-3" });
    await client.close();
  });
});

describe.each(eras)("tools/call input over the %s leg", (era) => {
  const call = (params: unknown, correlationId = `corr-${crypto.randomUUID()}`) =>
    gateway.rpc(era, "tools/call", params, { "x-correlation-id": correlationId }).then((answer) => ({ ...answer, correlationId }));

  it.each([
    ["arguments as a string", () => ({ name: gateway.exposed("read_record"), arguments: "{\"id\":\"1\"}" }), /params\.arguments must be an object/],
    ["arguments as an array", () => ({ name: gateway.exposed("read_record"), arguments: ["1"] }), /params\.arguments must be an object/],
    ["arguments as a number", () => ({ name: gateway.exposed("read_record"), arguments: 7 }), /params\.arguments must be an object/],
    ["arguments as null", () => ({ name: gateway.exposed("read_record"), arguments: null }), /params\.arguments must be an object/],
    ["no name", () => ({ arguments: {} }), /params\.name is required/],
    ["a name that is not a string", () => ({ name: 42, arguments: {} }), /params\.name must be a string/],
    ["an empty name", () => ({ name: "", arguments: {} }), /params\.name must not be empty/],
    ["_meta as a string", () => ({ name: gateway.exposed("read_record"), arguments: { id: "1" }, _meta: "x" }), /params\._meta must be an object/],
    ["a progress token that is an object", () => ({ name: gateway.exposed("read_record"), arguments: { id: "1" }, _meta: { progressToken: {} } }), /params\._meta\.progressToken must be a string or a number/],
    ["a related task without an id", () => ({ name: gateway.exposed("read_record"), arguments: { id: "1" }, _meta: { "io.modelcontextprotocol/related-task": {} } }), /related-task"\]\.taskId must be a string/],
    ["a task-augmented call", () => ({ name: gateway.exposed("read_record"), arguments: { id: "1" }, task: { ttl: 1000 } }), /params\.task is not supported/],
    ["a task given as a string", () => ({ name: gateway.exposed("read_record"), arguments: { id: "1" }, task: "x" }), /params\.task is not supported/],
    ["params as an array", () => [gateway.exposed("read_record")], /params must be an object/],
  ])("%s: a clear -32602 naming the field, audited", async (_case, params, message) => {
    const answer = await call(params());
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(message);
    expect(answer.error?.message).not.toMatch(zodDump);
    expect(await auditRow(answer.correlationId)).toMatchObject({ outcome: "denied", actorId: gateway.agentId, reason: answer.error?.message });
  });

  it.each([
    ["a NUL character", "evil\u0000tool"],
    ["a bidi override", "evil\u202etool"],
    ["a lone surrogate", "evil\ud800tool"],
    ["an escape sequence", "evil\u001b[31mtool"],
  ])("a name with %s is refused, audited with the name made safe", async (_case, name) => {
    const answer = await call({ name, arguments: {} });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/params\.name must not contain control, bidirectional-override or unpaired surrogate characters/);
    const row = await auditRow(answer.correlationId);
    expect(row).toMatchObject({ outcome: "denied" });
    expect((row?.details as { tool?: string }).tool).toBe(name.replace(/[\u0000\u001b\u202e\ud800]/, "\ufffd"));
  });

  it("an absurdly long name is refused, and audited only in part", async () => {
    const answer = await call({ name: "x".repeat(100_000), arguments: {} });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/params\.name is longer than 128 characters/);
    const row = await auditRow(answer.correlationId);
    expect((row?.details as { tool: string }).tool.length).toBeLessThanOrEqual(129);
  });

  it(`arguments nested 20,000 levels deep answer -32602 quickly (limit ${maxArgumentDepth}), audited`, async () => {
    const started = performance.now();
    const answer = await call(new RawParams(`{"name":${JSON.stringify(gateway.exposed("read_record"))},"arguments":${nestedJson(20_000)}}`));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(new RegExp(`params\\.arguments is nested deeper than ${maxArgumentDepth} levels`));
    expect(await auditRow(answer.correlationId)).toMatchObject({ outcome: "denied" });
  });

  it("a _meta nested 20,000 levels deep is refused the same way", async () => {
    const answer = await call(new RawParams(`{"name":${JSON.stringify(gateway.exposed("read_record"))},"arguments":{"id":"1"},"_meta":${nestedJson(20_000)}}`));
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/params\._meta is nested deeper than/);
  });

  it(`arguments with more than ${maxArgumentNodes} values are refused`, async () => {
    const wide = Object.fromEntries(Array.from({ length: maxArgumentNodes + 1 }, (_, index) => [`k${index}`, 0]));
    const answer = await call({ name: gateway.exposed("read_record"), arguments: wide });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(new RegExp(`params\\.arguments holds more than ${maxArgumentNodes} values`));
    expect(await auditRow(answer.correlationId)).toMatchObject({ outcome: "denied" });
  });

  it.each([
    ["a value", { id: "a\ud800b" }],
    ["a key", { ["a\udc00"]: "1", id: "1" }],
    ["a nested value", { query: "q", filter: { tags: ["ok", "\udbff"] } }],
  ])("arguments with an unpaired surrogate in %s (not Unicode, so they cannot be hashed) are refused, audited", async (_case, args) => {
    const answer = await call({ name: gateway.exposed("search_records"), arguments: args });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(/params\.arguments holds text with an unpaired surrogate/);
    expect(await auditRow(answer.correlationId)).toMatchObject({ outcome: "denied" });
  });

  it("arguments at the depth limit still reach the tool", async () => {
    const answer = await call({ name: gateway.exposed("search_records"), arguments: { query: "q", filter: nested(maxArgumentDepth - 2) } });
    expect(answer.error).toBeUndefined();
    expect(answer.result?.isError ?? false).toBe(false);
  });

  it.each([
    [12, /params\.cursor must be a string/],
    ["!!!", /params\.cursor is not a cursor this gateway handed out/],
    [Buffer.from("-5").toString("base64url"), /params\.cursor is not a cursor this gateway handed out/],
    ["x".repeat(5000), /params\.cursor is longer than 1024 characters/],
  ])("tools/list with the cursor %j gets -32602 naming the field, audited", async (cursor, message) => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const answer = await gateway.rpc(era, "tools/list", { cursor }, { "x-correlation-id": correlationId });
    expect(answer.error?.code).toBe(-32602);
    expect(answer.error?.message).toMatch(message);
    await flushGatewayAudit();
    expect(await db().auditEvent.findFirst({ where: { correlationId, action: "gateway.tools/list" } })).toMatchObject({ outcome: "denied" });
  });

  it("tools/list pages on with the cursor it handed out", async () => {
    const answer = await gateway.rpc(era, "tools/list", { cursor: Buffer.from("1").toString("base64url") });
    expect((answer.result?.tools as unknown[]).length).toBe(2);
  });

  it("after all of that, a legitimate call through the SDK client is served and audited", async () => {
    const correlationId = `corr-${crypto.randomUUID()}`;
    const client = await gateway.connect(era, { "X-Correlation-Id": correlationId });
    const result = await client.callTool({ name: gateway.exposed("read_record"), arguments: { id: "r-7" } });
    expect(result.structuredContent).toEqual({ id: "r-7" });
    expect(await auditRow(correlationId)).toMatchObject({ outcome: "success" });
    await client.close();
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluateChecks, prereleaseChecks } from "@/lib/certification/checks";
import { db } from "@/lib/db/prisma";
import { policyDefaults } from "@/lib/settings/policy";
import { makeServer } from "@/test/factories";
import { eras, type GovernedGateway, startGovernedGateway } from "@/test/governed-gateway";
import { defaultFixtureTools, type FixtureTool } from "@/test/mcp-fixture-server";
import { validateArguments } from "./arguments";
import { flushGatewayAudit } from "./audit-queue";
import { compileLinearPattern, unsupportedPatterns } from "./schema-patterns";

// Server owners write schema patterns; agents write the input they run on. A catastrophically
// backtracking pattern must answer at once, and a pattern RE2 cannot run is a certification finding
// and a clear refusal at call time, never a fallback to a backtracking RegExp.

const redos = "^(a+)+$";
const evil = `${"a".repeat(31)}!`;
let hashes = 0;
const tool = (inputSchema: Record<string, unknown>) => ({ definitionHash: `test-${++hashes}`, inputSchema });

function timed<T>(run: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = run();
  return { value, ms: performance.now() - started };
}

describe("patterns in pinned schemas run in linear time", () => {
  it.each([
    ["pattern", { type: "object", properties: { code: { type: "string", pattern: redos } } }, { code: evil }, /argument 'code' must match pattern "\^\(a\+\)\+\$"/],
    ["patternProperties", { type: "object", patternProperties: { [redos]: { type: "string" } }, additionalProperties: false }, { [evil]: "x" }, /unexpected argument/],
    ["propertyNames", { type: "object", propertyNames: { pattern: redos } }, { [evil]: 1 }, /property name must be valid/],
  ])("%s: %s against 31 a's and a '!' fails at once", (_keyword, schema, args, message) => {
    const { value, ms } = timed(() => validateArguments(tool(schema), args));
    expect(value).toEqual({ ok: false, message: expect.stringMatching(message) });
    expect(ms).toBeLessThan(250);
  });

  it("still accepts what the pattern matches", () => {
    const schema = tool({ type: "object", properties: { code: { type: "string", pattern: redos } } });
    expect(validateArguments(schema, { code: "aaaa" })).toEqual({ ok: true });
  });

  it("keeps every schema's own patterns apart (Ajv keys compiled patterns by their text)", () => {
    const onlyA = tool({ type: "object", properties: { v: { type: "string", pattern: "^a+$" } } });
    const onlyB = tool({ type: "object", properties: { v: { type: "string", pattern: "^b+$" }, w: { type: "string", pattern: "^c+$" } } });
    expect(validateArguments(onlyA, { v: "aa" }).ok).toBe(true);
    expect(validateArguments(onlyB, { v: "bb", w: "cc" }).ok).toBe(true);
    expect(validateArguments(onlyB, { v: "aa" }).ok).toBe(false);
    expect(validateArguments(onlyB, { v: "bb", w: "bb" }).ok).toBe(false);
  });

  it.each([
    ["^[a-z0-9-]+$", ["com-example", "Com_Example"]],
    ["^\\d{4}-\\d{2}-\\d{2}$", ["2026-11-30", "2026-1-30"]],
    ["^https?://", ["https://x", "ftp://x"]],
    ["^[^@\\s]+@[^@\\s]+\\.[a-z]{2,}$", ["a@b.io", "a b@c.io"]],
    ["^\\u00e9+$", ["éé", "e"]],
    ["^[\\u0041-\\u005A]+$", ["ABC", "abc"]],
    ["^\\uD83D\\uDE00$", ["😀", "x"]],
    ["^\\u{1F600}$", ["😀", "x"]],
    ["^\\p{Lu}", ["Élan", "élan"]],
    ["a\\/b[\\-]c", ["xa/b-c", "ab-c"]],
    ["(?<year>\\d{4})", ["in 2026", "in 26"]],
    ["colou?r", ["my colour", "colr"]],
  ])("%s matches as the same JavaScript RegExp would", (pattern, inputs) => {
    const linear = compileLinearPattern(pattern);
    for (const input of inputs) expect(linear.test(input)).toBe(new RegExp(pattern, "u").test(input));
  });
});

describe("patterns RE2 cannot run", () => {
  const unsupported = [
    ["a lookahead", "^(?=.*\\d)\\w+$"],
    ["a negative lookbehind", "(?<!x)y"],
    ["a backreference", "^(a)\\1$"],
    ["a repeat count over 1000", "^.{1,5000}$"],
  ];

  it.each(unsupported)("%s refuses the call with a clear message, quickly and every time", (_case, pattern) => {
    const schema = tool({ type: "object", properties: { v: { type: "string", pattern } } });
    const message = expect.stringContaining(`the certified schema cannot be used: pattern ${JSON.stringify(pattern)} cannot be run in linear time`);
    expect(validateArguments(schema, { v: "x" })).toEqual({ ok: false, message });
    expect(validateArguments(schema, { v: "y" })).toEqual({ ok: false, message });
  });

  it("are found wherever they sit in a schema, and only there", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "string", pattern: "^(?=x)" },
        pattern: { type: "string", default: { pattern: "(?=not-a-schema)" } },
        list: { type: "array", items: { type: "object", patternProperties: { "(a)\\1": { type: "string" }, "^ok$": {} } } },
      },
    };
    expect(unsupportedPatterns(schema).map(({ at, pattern }) => ({ at, pattern })).sort((x, y) => x.at.localeCompare(y.at))).toEqual([
      { at: "/properties/a/pattern", pattern: "^(?=x)" },
      { at: "/properties/list/items/patternProperties/(a)\\1", pattern: "(a)\\1" },
    ]);
    expect(unsupportedPatterns({ type: "object", properties: { v: { type: "string", pattern: redos } } })).toEqual([]);
  });

  it("are a security finding of certification, naming the tool and the pattern", async () => {
    const server = await makeServer({ versions: [{ version: "1.0.0", tools: [{ name: "lookahead" }, { name: "plain" }] }] });
    const versionId = server.versionIds[0]!;
    await db().versionTool.updateMany({
      where: { versionId, name: "lookahead" },
      data: { inputSchema: { type: "object", properties: { password: { type: "string", pattern: "^(?=.*\\d).{8,}$" } } } },
    });
    const security = (await prereleaseChecks(versionId)).checks.find((check) => check.name === "security")!;
    expect(security.passed).toBe(false);
    expect(security.reasons).toContainEqual(expect.stringMatching(/^Tool 'lookahead' input schema at \/properties\/password\/pattern has pattern "\^\(\?=\.\*\\\\d\)\.\{8,\}\$", which the gateway cannot run in linear time/));
    expect(security.reasons.filter((reason) => reason.includes("'plain'"))).toEqual([]);
  });

  it("leave a version with only linear-time patterns free of that finding", () => {
    const tools = [{ name: "t", inputSchema: { type: "object", properties: { v: { type: "string", pattern: redos } } }, outputSchema: null }];
    const security = evaluateChecks([], policyDefaults, "internal", new Date(), tools).checks.find((check) => check.name === "security")!;
    expect(security.reasons.filter((reason) => reason.startsWith("Tool "))).toEqual([]);
  });
});

describe("through the gateway", () => {
  const tools: FixtureTool[] = [
    ...defaultFixtureTools,
    { name: "lookup_code", description: "Looks up a code.", inputSchema: { type: "object", properties: { code: { type: "string", pattern: redos } }, required: ["code"] } },
    { name: "set_password", description: "Sets a password.", inputSchema: { type: "object", properties: { password: { type: "string", pattern: "^(?=.*\\d).{8,}$" } } } },
  ];
  let gateway: GovernedGateway;

  beforeAll(async () => {
    gateway = await startGovernedGateway("com.example/patterns", tools);
  });

  afterAll(async () => {
    await gateway.close();
  });

  describe.each(eras)("over the %s leg", (era) => {
    it("answers a ReDoS input at once, with the pattern it failed", async () => {
      const client = await gateway.connect(era);
      const started = performance.now();
      const result = await client.callTool({ name: gateway.exposed("lookup_code"), arguments: { code: evil } });
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/argument 'code' must match pattern/);
      await client.close();
    });

    it("refuses a tool whose pattern RE2 cannot run, saying why, and audits it", async () => {
      const correlationId = `corr-${crypto.randomUUID()}`;
      const client = await gateway.connect(era, { "X-Correlation-Id": correlationId });
      const before = gateway.fixture.received.filter((request) => request.toolCall?.name === "set_password").length;
      const result = await client.callTool({ name: gateway.exposed("set_password"), arguments: { password: "hunter22" } });
      expect(result.isError).toBe(true);
      expect(JSON.stringify(result.content)).toMatch(/cannot be run in linear time/);
      expect(gateway.fixture.received.filter((request) => request.toolCall?.name === "set_password").length).toBe(before);
      await flushGatewayAudit();
      const row = await db().auditEvent.findFirstOrThrow({ where: { correlationId, action: "gateway.tools/call" } });
      expect(row.outcome).toBe("denied");
      expect(row.reason).toMatch(/cannot be run in linear time/);
      await client.close();
    });
  });
});

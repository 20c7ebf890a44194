import { randomUUID } from "node:crypto";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it, vi } from "vitest";
import { validateArguments, validateStructuredContent } from "./arguments";

// A fresh hash per tool, so each test compiles its own schema.
const tool = (inputSchema: unknown) => ({ definitionHash: randomUUID(), inputSchema });

const files = tool({
  type: "object",
  properties: {
    path: { type: "string", pattern: "^/" },
    count: { type: "integer", minimum: 1 },
    mode: { enum: ["read", "write"] },
    options: {
      type: "object",
      properties: { depth: { type: "integer" }, tags: { type: "array", items: { type: "string", maxLength: 3 } } },
      required: ["depth"],
      additionalProperties: false,
    },
  },
  required: ["path"],
  additionalProperties: false,
});

// Every dialect's Ajv shares the core class, where `compile` lives.
const spyOnCompile = () => vi.spyOn(Object.getPrototypeOf(Ajv2020.prototype) as Ajv2020, "compile");

describe("validateArguments", () => {
  it("accepts arguments that match the pinned input schema", () => {
    expect(validateArguments(files, { path: "/etc", count: 2, mode: "read", options: { depth: 1, tags: ["a"] } })).toEqual({ ok: true });
  });

  it.each([
    [{ path: "etc" }, `argument 'path' must match pattern "^/"`],
    [{ path: "/", count: 1.5 }, "argument 'count' must be integer"],
    [{ path: "/", count: 0 }, "argument 'count' must be >= 1"],
    [{ count: 1 }, "missing required argument 'path'"],
    [{ path: "/", x: 1 }, "unexpected argument 'x'"],
    [{ path: "/", mode: "delete" }, `argument 'mode' must be one of "read", "write"`],
    [{ path: "/", options: {} }, "missing required argument 'options.depth'"],
    [{ path: "/", options: { depth: 1, extra: true } }, "unexpected argument 'options.extra'"],
    [{ path: "/", options: { depth: "deep" } }, "argument 'options.depth' must be integer"],
    [{ path: "/", options: { depth: 1, tags: ["ok", "long"] } }, "argument 'options.tags[1]' must NOT have more than 3 characters"],
    [[1], "arguments must be object"],
  ])("refuses %j: %s", (args, message) => {
    expect(validateArguments(files, args)).toEqual({ ok: false, message });
  });

  it("treats absent arguments as an empty object", () => {
    expect(validateArguments(files, undefined)).toEqual({ ok: false, message: "missing required argument 'path'" });
    expect(validateArguments(tool({ type: "object" }), undefined)).toEqual({ ok: true });
  });

  it("names the alternatives of anyOf and nullable types", () => {
    const union = tool({ type: "object", properties: { id: { anyOf: [{ type: "string" }, { type: "integer" }] }, note: { type: ["string", "null"] } } });
    expect(validateArguments(union, { id: true })).toEqual({
      ok: false,
      message: "argument 'id' must match at least one of the allowed schemas (argument 'id' must be string; argument 'id' must be integer)",
    });
    expect(validateArguments(union, { note: 1 })).toEqual({ ok: false, message: "argument 'note' must be string or null" });
  });

  it("escapes JSON Pointer segments in argument names", () => {
    const odd = tool({ type: "object", properties: { "a/b": { type: "string" } } });
    expect(validateArguments(odd, { "a/b": 1 })).toEqual({ ok: false, message: "argument 'a/b' must be string" });
  });

  it("uses JSON Schema 2020-12 when there is no $schema, and draft-07 when the schema says so", () => {
    // prefixItems exists in 2020-12 only; in draft-07 `items` as an array is the tuple form.
    const modern = tool({ type: "object", properties: { pair: { type: "array", prefixItems: [{ type: "string" }], items: false } } });
    expect(validateArguments(modern, { pair: ["a", "b"] })).toEqual({ ok: false, message: "argument 'pair' must NOT have more than 1 items" });
    const draft07 = tool({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: { pair: { type: "array", items: [{ type: "string" }], additionalItems: false } },
    });
    expect(validateArguments(draft07, { pair: ["a"] })).toEqual({ ok: true });
    expect(validateArguments(draft07, { pair: ["a", "b"] })).toEqual({ ok: false, message: "argument 'pair' must NOT have more than 1 items" });
  });

  it("checks formats", () => {
    const mail = tool({ type: "object", properties: { to: { type: "string", format: "email" } } });
    expect(validateArguments(mail, { to: "not-an-address" })).toEqual({ ok: false, message: `argument 'to' must match format "email"` });
  });

  it("compiles each pinned schema once, however often it is used", () => {
    const compile = spyOnCompile();
    const once = tool({ type: "object", properties: { n: { type: "number" } } });
    for (let i = 0; i < 50; i++) validateArguments(once, { n: i });
    validateArguments(once, { n: "x" });
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
  });

  it("reports a schema that does not compile clearly, compiling it only once", () => {
    const compile = spyOnCompile();
    const broken = tool({ type: "object", properties: { n: { type: "no-such-type" } } });
    const first = validateArguments(broken, { n: 1 });
    expect(first).toMatchObject({ ok: false, message: expect.stringMatching(/^the certified schema cannot be used: .*type/) });
    expect(validateArguments(broken, {})).toEqual(first);
    expect(compile).toHaveBeenCalledTimes(1);
    compile.mockRestore();
    expect(validateArguments(tool({ $schema: "http://json-schema.org/draft-04/schema#" }), {})).toEqual({
      ok: false,
      message: `the certified schema cannot be used: unsupported JSON Schema dialect "http://json-schema.org/draft-04/schema#" (supported: 2020-12, 2019-09, draft-07)`,
    });
  });

  it("does not try to fetch remote references", () => {
    const remote = tool({ type: "object", properties: { n: { $ref: "https://example.com/schema.json" } } });
    expect(validateArguments(remote, { n: 1 })).toMatchObject({ ok: false, message: expect.stringContaining("can't resolve reference") });
  });

  it("keeps two pinned schemas with the same $id apart", () => {
    const a = tool({ $id: "https://tools.example/same.json", type: "object", properties: { n: { type: "string" } } });
    const b = tool({ $id: "https://tools.example/same.json", type: "object", properties: { n: { type: "integer" } } });
    expect(validateArguments(a, { n: "x" })).toEqual({ ok: true });
    expect(validateArguments(b, { n: 1 })).toEqual({ ok: true });
  });
});

describe("validateStructuredContent", () => {
  const report = {
    definitionHash: randomUUID(),
    outputSchema: { type: "object", properties: { items: { type: "array", items: { type: "object", properties: { id: { type: "integer" } }, required: ["id"] } } }, required: ["items"] },
  };
  const prefix = "structuredContent does not match the certified output schema: ";

  it("accepts a matching value, and anything when the tool has no output schema", () => {
    expect(validateStructuredContent(report, { items: [{ id: 1 }] })).toEqual({ ok: true });
    expect(validateStructuredContent({ definitionHash: randomUUID(), outputSchema: null }, "anything")).toEqual({ ok: true });
  });

  it.each([
    [{ items: [{ id: "1" }] }, "property 'items[0].id' must be integer"],
    [{ items: [{}] }, "missing required property 'items[0].id'"],
    [{}, "missing required property 'items'"],
    ["text", "structuredContent must be object"],
  ])("refuses %j: %s", (value, message) => {
    expect(validateStructuredContent(report, value)).toEqual({ ok: false, message: prefix + message });
  });

  it("refuses a missing value when an output schema is declared", () => {
    expect(validateStructuredContent(report, undefined)).toEqual({ ok: false, message: `${prefix}it is missing, but the tool declares an output schema` });
  });

  it("caches input and output schemas of one definition separately", () => {
    const both = { definitionHash: randomUUID(), inputSchema: { type: "object" }, outputSchema: { type: "string" } };
    expect(validateArguments(both, {})).toEqual({ ok: true });
    expect(validateStructuredContent(both, "x")).toEqual({ ok: true });
    expect(validateStructuredContent(both, {})).toEqual({ ok: false, message: `${prefix}structuredContent must be string` });
  });
});

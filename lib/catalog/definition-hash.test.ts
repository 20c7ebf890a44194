import { describe, expect, it } from "vitest";
import { definitionHash, type ToolDefinition } from "./definition-hash";

const tool: ToolDefinition = {
  name: "read_record",
  title: "Read a record",
  description: "Reads one record by id.",
  inputSchema: { type: "object", properties: { id: { type: "string", minLength: 1 } }, required: ["id"] },
  outputSchema: { type: "object", properties: { body: { type: "string" } } },
  annotations: { readOnlyHint: true, openWorldHint: false },
};

describe("definitionHash", () => {
  it("is a SHA-256 hex digest", () => {
    expect(definitionHash(tool)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("ignores key order at every depth", () => {
    const reordered: ToolDefinition = {
      annotations: { openWorldHint: false, readOnlyHint: true },
      outputSchema: { properties: { body: { type: "string" } }, type: "object" },
      inputSchema: { required: ["id"], properties: { id: { minLength: 1, type: "string" } }, type: "object" },
      description: "Reads one record by id.",
      title: "Read a record",
      name: "read_record",
    };
    expect(definitionHash(reordered)).toBe(definitionHash(tool));
  });

  it("treats stored nulls like absent fields", () => {
    const bare = { name: "ping", inputSchema: { type: "object" } };
    expect(definitionHash({ ...bare, title: null, description: null, outputSchema: null, annotations: null })).toBe(definitionHash(bare));
  });

  it.each([
    ["name", { name: "read_record2" }],
    ["title", { title: "Read one record" }],
    ["description", { description: "Reads one record by its id." }],
    ["input schema", { inputSchema: { type: "object", properties: { id: { type: "string", minLength: 2 } }, required: ["id"] } }],
    ["output schema", { outputSchema: { type: "object" } }],
    ["annotations", { annotations: { readOnlyHint: false, openWorldHint: false } }],
    ["an added annotation", { annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false } }],
  ])("changes when the %s changes", (_field, change) => {
    expect(definitionHash({ ...tool, ...change })).not.toBe(definitionHash(tool));
  });

  it("is not fooled by array order, which is significant in JSON Schema", () => {
    const swapped = { ...tool, inputSchema: { type: "object", properties: {}, required: ["b", "a"] } };
    const original = { ...tool, inputSchema: { type: "object", properties: {}, required: ["a", "b"] } };
    expect(definitionHash(swapped)).not.toBe(definitionHash(original));
  });
});

import { describe, expect, it } from "vitest";
import { diffTools } from "./tool-diff";

const schema = { type: "object" };

describe("diffTools", () => {
  it("names added, removed, changed (with fields) and unchanged tools", () => {
    const previous = [
      { name: "keep", description: "same", inputSchema: schema },
      { name: "edit", description: "old", inputSchema: schema, annotations: { readOnlyHint: true } },
      { name: "gone", inputSchema: schema },
    ];
    const current = [
      { name: "keep", description: "same", inputSchema: schema },
      { name: "edit", description: "new", inputSchema: { type: "object", properties: {} }, annotations: { readOnlyHint: true } },
      { name: "fresh", inputSchema: schema },
    ];
    expect(diffTools(previous, current)).toEqual([
      { kind: "unchanged", name: "keep" },
      { kind: "changed", name: "edit", fields: ["description", "inputSchema"] },
      { kind: "added", name: "fresh" },
      { kind: "removed", name: "gone" },
    ]);
  });

  it("sees no change when only key order or null-versus-absent differs", () => {
    const previous = [{ name: "t", title: null, inputSchema: { b: 1, a: 2 } }];
    const current = [{ name: "t", inputSchema: { a: 2, b: 1 } }];
    expect(diffTools(previous, current)).toEqual([{ kind: "unchanged", name: "t" }]);
  });
});

import { describe, expect, it } from "vitest";
import { searchEntry } from "./meta-tools";

describe("searchEntry", () => {
  it("lists a tool by name, title and the first paragraph of its description, cut at a word", () => {
    expect(searchEntry({ name: "fetch", title: "Fetch", description: "Fetches a URL.\n\nLong   details follow." })).toEqual({ name: "fetch", title: "Fetch", summary: "Fetches a URL." });
    const long = searchEntry({ name: "x", description: "word ".repeat(100) });
    expect(long.summary.endsWith("word…")).toBe(true);
    expect(long.summary.length).toBeLessThanOrEqual(241);
    expect(searchEntry({ name: "bare", title: null, description: null })).toEqual({ name: "bare", summary: "" });
  });
});

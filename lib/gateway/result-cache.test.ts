import { describe, expect, it } from "vitest";
import { ResultCache } from "./result-cache";

const result = (text: string) => ({ content: [{ type: "text", text }] });

describe("the result cache's bounds", () => {
  it("answers until the entry's TTL has passed, then forgets it", () => {
    const cache = new ResultCache();
    cache.set("k", result("a"), 1_000, 0);
    expect(cache.get("k", 999)).toEqual(result("a"));
    expect(cache.get("k", 1_000)).toBeUndefined();
    expect(cache.size).toBe(0);
    expect(cache.heldBytes).toBe(0);
  });

  it("drops the least recently used entries once it holds more than its byte cap", () => {
    const one = "k1".length + JSON.stringify(result("x".repeat(100))).length;
    const cache = new ResultCache(one * 2, one);
    cache.set("k1", result("x".repeat(100)), 60_000, 0);
    cache.set("k2", result("y".repeat(100)), 60_000, 0);
    // Reading k1 makes k2 the oldest.
    expect(cache.get("k1", 1)).toBeDefined();
    cache.set("k3", result("z".repeat(100)), 60_000, 0);
    expect(cache.get("k2", 2)).toBeUndefined();
    expect(cache.get("k1", 2)).toBeDefined();
    expect(cache.get("k3", 2)).toBeDefined();
    expect(cache.heldBytes).toBeLessThanOrEqual(one * 2);
  });

  it("does not keep a result larger than one entry may be", () => {
    const cache = new ResultCache(10_000, 100);
    cache.set("big", result("x".repeat(200)), 60_000, 0);
    expect(cache.get("big", 1)).toBeUndefined();
    expect(cache.heldBytes).toBe(0);
  });

  it("replaces an entry stored again under its key without counting it twice", () => {
    const cache = new ResultCache();
    cache.set("k", result("a"), 60_000, 0);
    const held = cache.heldBytes;
    cache.set("k", result("b"), 60_000, 0);
    expect(cache.heldBytes).toBe(held);
    expect(cache.get("k", 1)).toEqual(result("b"));
  });
});

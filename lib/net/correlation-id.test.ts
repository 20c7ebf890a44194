import { describe, expect, it } from "vitest";
import { correlationIdFrom } from "./correlation-id";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("correlation ids", () => {
  it("keeps a caller's plain token", () => {
    expect(correlationIdFrom(new Headers({ "x-correlation-id": "host-7:call.42" }))).toBe("host-7:call.42");
  });

  it("replaces a missing, empty, long or unusual one with a new UUID", () => {
    for (const value of [undefined, "", "x".repeat(101), "two words", "semi;colon", "<script>"]) {
      const headers = new Headers(value === undefined ? {} : { "x-correlation-id": value });
      expect(correlationIdFrom(headers)).toMatch(uuid);
    }
  });
});

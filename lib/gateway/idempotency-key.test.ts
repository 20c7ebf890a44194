import { describe, expect, it } from "vitest";
import { screenParams } from "./call-input";
import { idempotencyKeyField, idempotencyKeyOf } from "./idempotency-key";
import { leanCallOf } from "./lean-call";

const call = (params: Record<string, unknown>) => ({ jsonrpc: "2.0", id: 1, method: "tools/call", params });

describe("the idempotency key of a tools/call", () => {
  it("is carried by the lean path when the call has one, and adds nothing when it has no _meta", () => {
    expect(leanCallOf(call({ name: "t", arguments: { a: 1 }, _meta: { [idempotencyKeyField]: "order-1" } }))).toEqual({ id: 1, name: "t", args: { a: 1 }, idempotencyKey: "order-1" });
    const plain = leanCallOf(call({ name: "t", arguments: { a: 1 } }));
    expect(plain).toEqual({ id: 1, name: "t", args: { a: 1 } });
    expect(Object.keys(plain!)).not.toContain("idempotencyKey");
    expect(Object.keys(leanCallOf(call({ name: "t", _meta: { other: 1 } }))!)).not.toContain("idempotencyKey");
  });

  it("is read only from a _meta object holding a string", () => {
    expect(idempotencyKeyOf({ [idempotencyKeyField]: "k" })).toBe("k");
    expect(idempotencyKeyOf({ [idempotencyKeyField]: 1 })).toBeUndefined();
    expect(idempotencyKeyOf(undefined)).toBeUndefined();
    expect(idempotencyKeyOf("k")).toBeUndefined();
  });

  it.each([
    [["k"], /must be a string/],
    [null, /must be a string/],
    ["", /must not be empty/],
    ["k".repeat(201), /longer than 200 characters/],
    ["tab\there", /visible ASCII/],
    ["café", /visible ASCII/],
  ])("is refused by the screen when it is %j", (key, message) => {
    const refusal = screenParams("tools/call", { name: "t", _meta: { [idempotencyKeyField]: key } });
    expect(refusal?.message).toMatch(message);
    expect(refusal?.message).toContain(`params._meta["${idempotencyKeyField}"]`);
  });

  it("passes the screen at 200 visible ASCII characters", () => {
    expect(screenParams("tools/call", { name: "t", _meta: { [idempotencyKeyField]: "~".repeat(200) } })).toBeNull();
  });
});

import { describe, expect, it } from "vitest";
import { maskArguments, maskedValue } from "./masking";

const none: string[] = [];

describe("maskArguments", () => {
  it("masks a listed name at any depth and in arrays, in any letter case, whatever the value", () => {
    const args = { Password: "p", nested: { deeper: [{ PASSWORD: { any: "thing" } }, { other: 1 }] }, keep: "k" };
    expect(maskArguments(args, { policy: ["password"], server: none })).toEqual({
      Password: maskedValue,
      nested: { deeper: [{ PASSWORD: maskedValue }, { other: 1 }] },
      keep: "k",
    });
  });

  it("masks the server's fields and the policy's together", () => {
    expect(maskArguments({ ssn: "1", iban: "2", note: "3" }, { policy: ["ssn"], server: ["IBAN"] })).toEqual({ ssn: maskedValue, iban: maskedValue, note: "3" });
  });

  it("masks a dotted path where its names follow one another, at any depth, arrays not counting as steps", () => {
    const args = {
      email: "top",
      customer: { email: "c", name: "n" },
      orders: [{ customer: { email: "o" } }],
      contact: { email: "x" },
    };
    expect(maskArguments(args, { policy: none, server: ["customer.email"] })).toEqual({
      email: "top",
      customer: { email: maskedValue, name: "n" },
      orders: [{ customer: { email: maskedValue } }],
      contact: { email: "x" },
    });
  });

  it("reads JSONPath-like spellings: a leading $, array steps in brackets, a name that itself has a dot", () => {
    const args = { items: [{ card: "4111" }, { card: "5500" }], a: { b: "1" }, "x.y": "2", x: { y: "3" } };
    expect(maskArguments(args, { policy: none, server: ["$.a.b", "items[].card", "x.y"] })).toEqual({
      items: [{ card: maskedValue }, { card: maskedValue }],
      a: { b: maskedValue },
      "x.y": maskedValue,
      x: { y: maskedValue },
    });
  });

  it("leaves arguments without listed fields as they are, and does not change its input", () => {
    const args = { id: "1", list: [1, "two", null, true], none: null };
    const copy = structuredClone(args);
    expect(maskArguments(args, { policy: ["secret"], server: ["a.b"] })).toEqual(copy);
    expect(maskArguments({ secret: "s" }, { policy: ["secret"], server: none })).toEqual({ secret: maskedValue });
    expect(args).toEqual(copy);
  });
});

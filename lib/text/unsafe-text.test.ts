import { describe, expect, it } from "vitest";
import { hasUnsafeCharacters, replaceUnsafeCharacters, replaceUnsafeInJson, safeName, safeText } from "./unsafe-text";

describe("unsafe text", () => {
  it.each([
    ["NUL", "evil\u0000tool"],
    ["escape", "a\u001bb"],
    ["DEL", "a\u007fb"],
    ["a C1 control", "a\u0085b"],
    ["a right-to-left override", "report\u202Etxt.exe"],
    ["a first-strong isolate", "a\u2068b"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "a\udc00b"],
  ])("finds %s", (_label, text) => {
    expect(hasUnsafeCharacters(text)).toBe(true);
    expect(replaceUnsafeCharacters(text)).not.toBe(text);
    expect(hasUnsafeCharacters(replaceUnsafeCharacters(text))).toBe(false);
  });

  it("leaves ordinary text, emoji and line breaks in free text alone", () => {
    for (const text of ["get_contact", "Zoë 😀 日本", "line one\nline two\tend"]) {
      expect(hasUnsafeCharacters(text)).toBe(false);
      expect(replaceUnsafeCharacters(text)).toBe(text);
    }
  });

  it("refuses line breaks in names only", () => {
    expect(hasUnsafeCharacters("a\nb", { singleLine: true })).toBe(true);
    expect(safeName("Name").safeParse("a\nb").success).toBe(false);
    expect(safeText("Reason").safeParse("a\nb").success).toBe(true);
    expect(safeText("Reason").safeParse("a\u0000b").error?.issues[0]?.message).toMatch(/Reason must not contain control/);
  });

  it("replaces unsafe characters in keys and nested values", () => {
    expect(replaceUnsafeInJson({ "k\u0000": ["v\u202e", 1, null, { x: "\ud800" }] })).toEqual({ "k\uFFFD": ["v\uFFFD", 1, null, { x: "\uFFFD" }] });
  });
});

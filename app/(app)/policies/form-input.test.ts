import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { replayInputFrom, whyInputFrom } from "./form-input";

const form = (fields: Record<string, string>) => {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) data.set(name, value);
  return data;
};

describe("the Policies forms' inputs", () => {
  it("read the replay window in days, empty meaning the default, anything else left for the schema", () => {
    expect(replayInputFrom(form({ days: " 14 " }))).toEqual({ days: 14 });
    expect(replayInputFrom(form({ days: "" }))).toEqual({});
    expect(replayInputFrom(form({}))).toEqual({});
    expect(replayInputFrom(form({ days: "1.5" }))).toEqual({ days: "1.5" });
    expect(replayInputFrom(form({ days: "-3" }))).toEqual({ days: "-3" });
  });

  it("read a why question: arguments as JSON, a datetime-local time as UTC", () => {
    expect(whyInputFrom(form({ agent: " bot ", server: "io.example/x", tool: "read", arguments: '{"id": "r1"}', at: "2026-12-02T22:00" }))).toEqual({
      agent: "bot",
      server: "io.example/x",
      tool: "read",
      arguments: { id: "r1" },
      at: "2026-12-02T22:00:00Z",
    });
    expect(whyInputFrom(form({ agent: "bot", server: "s", tool: "t", arguments: "", at: "" }))).toEqual({ agent: "bot", server: "s", tool: "t" });
    expect(whyInputFrom(form({ agent: "bot", server: "s", tool: "t", at: "2026-12-02T22:00:00+01:00" })).at).toBe("2026-12-02T22:00:00+01:00");
  });

  it("refuse arguments that are not JSON, naming the field; other shapes go on for the schema to refuse", () => {
    expect(() => whyInputFrom(form({ agent: "a", server: "s", tool: "t", arguments: "{id: r1}" }))).toThrow(ValidationError);
    try {
      whyInputFrom(form({ arguments: "[1," }));
    } catch (error) {
      expect((error as ValidationError).fieldErrors.arguments).toHaveLength(1);
    }
    expect(whyInputFrom(form({ arguments: "[1, 2]" })).arguments).toEqual([1, 2]);
  });
});

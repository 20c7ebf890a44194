import { describe, expect, it } from "vitest";
import { parseRange, rangeWindow } from "./range";

describe("dashboard range", () => {
  it("defaults to the last day and accepts hour, day and week", () => {
    expect(parseRange(undefined)).toEqual({ range: "day" });
    expect(parseRange("hour")).toEqual({ range: "hour" });
    expect(parseRange("week")).toEqual({ range: "week" });
  });

  it("falls back to the last day with a note naming what was asked for", () => {
    expect(parseRange("month")).toEqual({ range: "day", note: expect.stringContaining('no range "month"; showing the last day') });
    expect(parseRange(["hour", "week"])).toEqual({ range: "day", note: expect.stringContaining('"hour, week"') });
  });

  it("ends the window now", () => {
    const now = new Date("2026-03-10T12:00:00.000Z");
    expect(rangeWindow("week", now)).toEqual({ from: new Date("2026-03-03T12:00:00.000Z"), to: now });
  });
});

import { describe, expect, it } from "vitest";
import { utcToTheSecond } from "./utc-time";

describe("utcToTheSecond", () => {
  it("reads an instant in UTC to the second, from a Date or an ISO string", () => {
    expect(utcToTheSecond(new Date("2026-12-01T00:12:40.709Z"))).toBe("2026-12-01 00:12:40");
    expect(utcToTheSecond("2026-12-01T23:59:59.999Z")).toBe("2026-12-01 23:59:59");
    // Not the local time zone: an offset instant is shown as UTC.
    expect(utcToTheSecond(new Date("2026-12-01T01:00:00+02:00"))).toBe("2026-11-30 23:00:00");
  });
});

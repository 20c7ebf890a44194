import { describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { decodeCursor, encodeCursor, parseListQuery, pathNames } from "./params";

const base = "http://localhost/v0.1/servers";

describe("registry query", () => {
  it("reads limit, search, updated_since, version and granted; empty values count as absent", () => {
    expect(parseListQuery({})).toEqual({});
    expect(parseListQuery({ limit: "100", search: "crm", updated_since: "2025-08-07T13:15:04.280Z", version: "latest", granted: "true" })).toEqual({
      limit: 100,
      search: "crm",
      updated_since: new Date("2025-08-07T13:15:04.280Z"),
      version: "latest",
      granted: true,
    });
    expect(parseListQuery({ limit: "", cursor: "", updated_since: "2025-08-07T15:15:04+02:00" })).toEqual({ updated_since: new Date("2025-08-07T13:15:04Z") });
  });

  it.each([
    ["limit", "0", /limit must be a whole number from 1 to 100/],
    ["limit", "10000", /limit must be a whole number from 1 to 100/],
    ["limit", "abc", /limit must be a whole number from 1 to 100/],
    ["limit", "-1", /limit must be a whole number from 1 to 100/],
    ["limit", "1.5", /limit must be a whole number from 1 to 100/],
    ["updated_since", "yesterday", /RFC 3339/],
    ["updated_since", "2025-08-07T13:15:04", /RFC 3339/],
    ["granted", "yes", /granted must be true or false/],
    ["version", "../1.0.0", /semantic version/],
    ["search", "crm\u0000", /control characters/],
    ["cursor", "not base64!", /cursor is not one this registry issued/],
  ])("refuses %s=%j with a clear message", (field, value, message) => {
    expect(() => parseListQuery({ [field]: value })).toThrow(ValidationError);
    expect(() => parseListQuery({ [field]: value })).toThrow(message);
  });
});

describe("cursor", () => {
  it("is opaque base64url text that round-trips the last name and version", () => {
    const cursor = encodeCursor({ name: "com.example/crm", version: "1.0.0+build.7" });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual({ name: "com.example/crm", version: "1.0.0+build.7" });
  });

  it.each([
    ["garbage", "%%%"],
    ["base64 of non-JSON", Buffer.from("hello").toString("base64url")],
    ["JSON of the wrong shape", Buffer.from(JSON.stringify({ name: "x" })).toString("base64url")],
    ["a name with traversal", Buffer.from(JSON.stringify(["../etc/passwd", "1.0.0"])).toString("base64url")],
    ["an injection attempt", Buffer.from(JSON.stringify(["com.example/x' OR 1=1 --", "1.0.0"])).toString("base64url")],
  ])("refuses %s", (_label, text) => {
    expect(() => decodeCursor(text)).toThrow(/cursor is not one this registry issued/);
  });
});

describe("server name and version in the path", () => {
  it("decodes %2F once, from the raw URL, whatever Next.js did to params", () => {
    expect(pathNames(`${base}/com.example%2Fcrm/versions`, { serverName: "com.example/crm" })).toEqual({ serverName: "com.example/crm" });
    expect(pathNames(`${base}/com.example%2fcrm/versions`, { serverName: "com.example%2fcrm" })).toEqual({ serverName: "com.example/crm" });
    expect(pathNames(`${base}/com.example%2Fcrm/versions/1.0.0%2B20130313144700`, {})).toEqual({ serverName: "com.example/crm", version: "1.0.0+20130313144700" });
    expect(pathNames(`${base}/com.example%2Fcrm/versions/latest`, {})).toEqual({ serverName: "com.example/crm", version: "latest" });
  });

  it("falls back to the already-decoded params when the URL is not the registry's (a rewrite)", () => {
    expect(pathNames("http://localhost/elsewhere", { serverName: "com.example/crm", version: "2.0.0" })).toEqual({ serverName: "com.example/crm", version: "2.0.0" });
  });

  it.each([
    ["a bare name without a slash", `${base}/crm/versions`, /look like com.example\/crm/],
    ["../ in the name", `${base}/..%2F..%2Fetc%2Fpasswd/versions`, /must not contain "\.\."/],
    ["encoded dots", `${base}/com.example%2F%2e%2e/versions`, /must not contain "\.\."/],
    ["a double-encoded slash", `${base}/com.example%252Fcrm/versions`, /encoded more than once/],
    ["a double-encoded traversal", `${base}/%252e%252e%252fetc/versions`, /encoded more than once/],
    ["a backslash", `${base}/com.example%2F..%5Cetc/versions`, /\.\./],
    ["a control character", `${base}/com.example%2Fcrm%00/versions`, /control characters/],
    ["a newline", `${base}/com.example%2Fcrm%0A/versions`, /control characters/],
    ["broken encoding", `${base}/com.example%E0%A4%A/versions`, /not valid URL encoding/],
    ["a name too long", `${base}/com.example%2F${"a".repeat(250)}/versions`, /look like com.example\/crm/],
    ["an injection attempt", `${base}/com.example%2Fcrm'%20OR%201%3D1/versions`, /look like com.example\/crm/],
  ])("refuses %s with 400", (_label, url, message) => {
    expect(() => pathNames(url, {})).toThrow(ValidationError);
    expect(() => pathNames(url, {})).toThrow(message);
  });

  it.each([
    ["a traversal", `${base}/com.example%2Fcrm/versions/..%2F1.0.0`, /semantic version/],
    ["a double-encoded version", `${base}/com.example%2Fcrm/versions/1.0.0%252B1`, /encoded more than once/],
    ["a control character", `${base}/com.example%2Fcrm/versions/1.0.0%0D`, /control characters/],
    ["a slash", `${base}/com.example%2Fcrm/versions/1.0.0%2Fx`, /semantic version/],
  ])("refuses a version with %s", (_label, url, message) => {
    expect(() => pathNames(url, {})).toThrow(message);
  });
});

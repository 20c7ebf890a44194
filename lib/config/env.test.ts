import { describe, expect, it } from "vitest";
import { env, envSchema, oidcSettings, readEnv } from "./env";

describe("the environment", () => {
  it("has typed defaults that need no configuration, and empty counts as unset", () => {
    const settings = readEnv({ PORT: "", NEXTAUTH_URL: "" });
    expect(settings).toMatchObject({
      PORT: 3000,
      TOOLGATE_TRUST_PROXY: false,
      TOOLGATE_GATEWAY_ALLOWED_HOSTS: [],
      TOOLGATE_DRIFT_RECHECK_SECONDS: 30,
      TOOLGATE_RATE_AGENT_PER_SECOND: 200,
      OIDC_NAME: "Single sign-on",
    });
    expect(settings.NEXTAUTH_URL).toBeUndefined();
    expect(settings.TOOLGATE_OUTBOUND_ALLOW).toBeUndefined();
  });

  it("lists every bad value at start, one line each, naming the variable", () => {
    const bad = { PORT: "abc", TOOLGATE_TRUST_PROXY: "maybe", TOOLGATE_RATE_TOOL_PER_SECOND: "0", TOOLGATE_OUTBOUND_ALLOW: "10.0.0.0/8,intranet" };
    expect(() => readEnv(bad)).toThrow(
      /^Invalid settings:\n {2}PORT: .+\n {2}TOOLGATE_OUTBOUND_ALLOW: invalid entry "intranet".+\n {2}TOOLGATE_TRUST_PROXY: .+\n {2}TOOLGATE_RATE_TOOL_PER_SECOND: must be a positive whole number$/,
    );
    expect(() => readEnv({ OIDC_ISSUER: "https://login.example.com" })).toThrow("OIDC_CLIENT_ID is required when OIDC_ISSUER is set");
  });

  it("reads one variable, typed, following changes to its raw value", () => {
    const raw: Record<string, string | undefined> = { TOOLGATE_GATEWAY_ALLOWED_HOSTS: " A.example , b.example:8443" };
    const first = env("TOOLGATE_GATEWAY_ALLOWED_HOSTS", raw);
    expect(first).toEqual(["a.example", "b.example:8443"]);
    expect(env("TOOLGATE_GATEWAY_ALLOWED_HOSTS", raw)).toBe(first); // parsed once per raw value
    raw.TOOLGATE_GATEWAY_ALLOWED_HOSTS = "c.example";
    expect(env("TOOLGATE_GATEWAY_ALLOWED_HOSTS", raw)).toEqual(["c.example"]);
    expect(() => env("TOOLGATE_DRIFT_RECHECK_SECONDS", { TOOLGATE_DRIFT_RECHECK_SECONDS: "301" })).toThrow(
      "Invalid TOOLGATE_DRIFT_RECHECK_SECONDS: must be at most 300",
    );
  });

  it("keeps an empty TOOLGATE_OUTBOUND_ALLOW as allowing nothing", () => {
    expect(envSchema.shape.TOOLGATE_OUTBOUND_ALLOW.parse("")).toEqual([]);
    expect(envSchema.shape.TOOLGATE_OUTBOUND_ALLOW.parse("loopback, none")).toEqual(["127.0.0.0/8", "::1/128"]);
  });

  it("turns periodic jobs on by default, off only when asked, and refuses anything else", () => {
    expect(env("TOOLGATE_JOBS", {})).toBe(true);
    for (const on of ["on", "true"]) expect(env("TOOLGATE_JOBS", { TOOLGATE_JOBS: on })).toBe(true);
    for (const off of ["off", "false", "OFF"]) expect(env("TOOLGATE_JOBS", { TOOLGATE_JOBS: off })).toBe(false);
    for (const bad of ["no", "0 ", "of\u0000f", "x".repeat(10_000)]) {
      expect(() => env("TOOLGATE_JOBS", { TOOLGATE_JOBS: bad })).toThrow("Invalid TOOLGATE_JOBS: TOOLGATE_JOBS must be on or off.");
    }
  });

  it("takes a redis:// or rediss:// REDIS_URL, unset by default", () => {
    expect(readEnv({}).REDIS_URL).toBeUndefined();
    expect(readEnv({ REDIS_URL: "" }).REDIS_URL).toBeUndefined();
    for (const url of ["redis://127.0.0.1:6379", "redis://:s%40cret@redis.example.com:6379/2", "rediss://user:pw@cache.example.com/", "redis://[::1]:6380"]) {
      expect(env("REDIS_URL", { REDIS_URL: url })).toBe(url);
    }
  });

  it.each([
    ["cache.internal:6379", /^Invalid REDIS_URL: must start with redis:\/\/ or rediss:\/\/, e\.g\. redis:\/\/:password@/],
    ["http://redis.example.com", /^Invalid REDIS_URL: must start with redis:\/\/ or rediss:\/\/, /],
    ["postgresql://db/toolgate", /^Invalid REDIS_URL: must start with redis:\/\/ or rediss:\/\/, /],
    ["redis://redis.example.com:99999", /^Invalid REDIS_URL: is not a valid URL, /],
    ["redis:///0", /^Invalid REDIS_URL: must name a host/],
    ["redis://redis.example.com/cache", /^Invalid REDIS_URL: may have only a database number as its path/],
    ["redis://redis.example.com:6379\n", /^Invalid REDIS_URL: must not contain spaces or control characters$/],
    ["redis://red\tis.example.com", /^Invalid REDIS_URL: must not contain spaces or control characters$/],
    ["redis://:pass word@redis.example.com", /^Invalid REDIS_URL: must not contain spaces or control characters$/],
    ["redis://redis.example.com\u0000", /^Invalid REDIS_URL: must not contain spaces or control characters$/],
  ])("refuses REDIS_URL=%j naming the variable, without repeating the value", (value, message) => {
    expect(() => env("REDIS_URL", { REDIS_URL: value })).toThrow(message);
    expect(() => env("REDIS_URL", { REDIS_URL: value })).not.toThrow(value);
    expect(() => readEnv({ REDIS_URL: value })).toThrow(/^Invalid settings:\n {2}REDIS_URL: /);
  });

  it("gives single sign-on settings only when OIDC_ISSUER is set", () => {
    expect(oidcSettings({})).toBeNull();
    expect(oidcSettings({ OIDC_ISSUER: "https://login.example.com", OIDC_CLIENT_ID: "a", OIDC_CLIENT_SECRET: "b" })).toEqual({
      issuer: "https://login.example.com",
      clientId: "a",
      clientSecret: "b",
      name: "Single sign-on",
    });
  });
});

import { describe, expect, it } from "vitest";
import { envSchema } from "@/lib/config/env";
import { forwardedHostTrusted, isOwnHost, isOwnOrigin, ownHosts, publicBase } from "./public-origin";

const request = "http://10.0.0.5:3000/some/path";

describe("this app's own hosts and origins", () => {
  it("treats a loopback public URL and its loopback aliases on the same port as one", () => {
    const env = { NEXTAUTH_URL: "http://127.0.0.1:3300" };
    expect([...ownHosts(request, env)]).toEqual(["localhost:3300", "127.0.0.1:3300", "[::1]:3300"]);
    for (const origin of ["http://localhost:3300", "http://127.0.0.1:3300", "http://[::1]:3300"]) expect(isOwnOrigin(origin, request, env)).toBe(true);
    for (const host of ["localhost:3300", "LOCALHOST:3300", "[::1]:3300"]) expect(isOwnHost(host, request, env)).toBe(true);
  });

  it("does not stretch the aliases to another port, another name or a non-loopback URL", () => {
    const loopback = { NEXTAUTH_URL: "http://localhost:3300" };
    expect(isOwnOrigin("http://localhost:3404", request, loopback)).toBe(false);
    expect(isOwnHost("127.0.0.1:3404", request, loopback)).toBe(false);
    expect(isOwnHost("127.0.0.2:3300", request, loopback)).toBe(false);
    const publicUrl = { NEXTAUTH_URL: "https://toolgate.example.com" };
    expect([...ownHosts(request, publicUrl)]).toEqual(["toolgate.example.com"]);
    expect(isOwnOrigin("https://toolgate.example.com", request, publicUrl)).toBe(true);
    expect(isOwnOrigin("http://localhost", request, publicUrl)).toBe(false);
    expect(isOwnOrigin("https://toolgate.example.com.evil.example", request, publicUrl)).toBe(false);
  });

  it("adds the operator's extra hosts, and falls back to the request's own origin without NEXTAUTH_URL", () => {
    const env = { NEXTAUTH_URL: "https://toolgate.example.com", TOOLGATE_GATEWAY_ALLOWED_HOSTS: " gw.example.com , Internal:8443" };
    expect(isOwnHost("gw.example.com", request, env)).toBe(true);
    expect(isOwnOrigin("https://internal:8443", request, env)).toBe(true);
    expect(isOwnHost("10.0.0.5:3000", request, {})).toBe(true);
    expect(publicBase(request, {}).origin).toBe("http://10.0.0.5:3000");
    expect(publicBase(request, env).origin).toBe("https://toolgate.example.com");
  });

  it("refuses origins that are not http(s) origins of its own", () => {
    const env = { NEXTAUTH_URL: "http://localhost:3300" };
    for (const origin of [null, "", "null", "file://localhost:3300", "not a url", "chrome-extension://abc"]) expect(isOwnOrigin(origin, request, env)).toBe(false);
    expect(isOwnHost(null, request, env)).toBe(false);
  });

  it("trusts X-Forwarded-* only when TOOLGATE_TRUST_PROXY says so", () => {
    expect(forwardedHostTrusted({})).toBe(false);
    expect(forwardedHostTrusted({ TOOLGATE_TRUST_PROXY: "true" })).toBe(true);
    expect(forwardedHostTrusted({ TOOLGATE_TRUST_PROXY: "false" })).toBe(false);
    expect(forwardedHostTrusted({ TOOLGATE_TRUST_PROXY: "maybe" })).toBe(false);
    expect(envSchema.shape.TOOLGATE_TRUST_PROXY.safeParse("maybe").success).toBe(false);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { serveGatewayRequest } from "./http";

// The gateway's Host and Origin checks come before the agent's key, so a request without a key that
// passes them answers 401, and one that fails them 421 (Host) or 403 (Origin).
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const ask = (headers: Record<string, string>) =>
  serveGatewayRequest(new Request("http://127.0.0.1:3300/mcp", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" })).then((r) => r.status);

describe("the gateway's own hosts and origins", () => {
  it("are NEXTAUTH_URL's origin and its loopback aliases on the same port, for Host and Origin alike", async () => {
    process.env.NEXTAUTH_URL = "http://127.0.0.1:3300";
    expect(await ask({ host: "127.0.0.1:3300", origin: "http://localhost:3300" })).toBe(401);
    expect(await ask({ host: "localhost:3300", origin: "http://[::1]:3300" })).toBe(401);
    expect(await ask({ host: "localhost:3300", origin: "http://localhost:3404" })).toBe(403);
    expect(await ask({ host: "localhost:3404" })).toBe(421);
    expect(await ask({ host: "evil.example" })).toBe(421);
  });

  it("include the operator's extra hosts, and nothing loopback when the public URL is not", async () => {
    process.env.NEXTAUTH_URL = "https://toolgate.example.com";
    process.env.TOOLGATE_GATEWAY_ALLOWED_HOSTS = "gw.internal:8443";
    expect(await ask({ host: "toolgate.example.com", origin: "https://toolgate.example.com" })).toBe(401);
    expect(await ask({ host: "gw.internal:8443", origin: "https://gw.internal:8443" })).toBe(401);
    expect(await ask({ host: "localhost:3300" })).toBe(421);
  });
});

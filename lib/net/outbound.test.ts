import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationError } from "@/lib/errors";
import { closeServer, listenOnLoopback } from "@/test/loopback";
import { assertOutboundUrl, guardedFetch, isLoopbackHost, liveOutboundPolicy, OutboundResponseError, outboundPolicyFromEnv, applyOutboundAllow } from "./outbound";

const production = { allow: [] };
const development = { allow: ["127.0.0.0/8", "::1/128"] };

describe("outboundPolicyFromEnv", () => {
  it("allows loopback by default outside production, and in production while Toolgate listens on loopback only", () => {
    expect(outboundPolicyFromEnv({ NODE_ENV: "development", HOST: "0.0.0.0" })).toEqual(development);
    expect(outboundPolicyFromEnv({ NODE_ENV: "test" })).toEqual(development);
    // HOST unset: 127.0.0.1, as `npm start` listens.
    expect(outboundPolicyFromEnv({ NODE_ENV: "production" })).toEqual(development);
    expect(outboundPolicyFromEnv({ NODE_ENV: "production", HOST: "localhost" })).toEqual(development);
    expect(outboundPolicyFromEnv({ NODE_ENV: "production", HOST: "0.0.0.0" })).toEqual(production);
    expect(outboundPolicyFromEnv({ NODE_ENV: "production", HOST: "::" })).toEqual(production);
  });

  it("reads comma-separated CIDRs and expands loopback", () => {
    expect(outboundPolicyFromEnv({ NODE_ENV: "production", TOOLGATE_OUTBOUND_ALLOW: " 10.0.0.0/8, loopback ,fd00::/8" })).toEqual({
      allow: ["10.0.0.0/8", "127.0.0.0/8", "::1/128", "fd00::/8"],
    });
  });

  it.each(["", "none"])("allows nothing for %j, even outside production", (setting) => {
    expect(outboundPolicyFromEnv({ NODE_ENV: "development", TOOLGATE_OUTBOUND_ALLOW: setting })).toEqual(production);
  });

  it.each(["10.0.0.0/33", "intranet", "10.0.0.1"])("names the invalid entry %j", (entry) => {
    expect(() => outboundPolicyFromEnv({ NODE_ENV: "production", TOOLGATE_OUTBOUND_ALLOW: `10.0.0.0/8,${entry}` })).toThrow(`"${entry}"`);
  });
});

describe("isLoopbackHost", () => {
  it.each([
    ["127.0.0.1", true],
    ["127.1.2.3", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["::1", true],
    ["[::1]", true],
    ["0.0.0.0", false],
    ["::", false],
    ["192.168.1.10", false],
    ["toolgate.example.com", false],
    ["localhost.example.com", false],
  ])("%s: %s", (host, loopback) => {
    expect(isLoopbackHost(host)).toBe(loopback);
  });
});

describe("liveOutboundPolicy", () => {
  it("follows each change of the rule, for holders of the same object", async () => {
    const policy = liveOutboundPolicy();
    try {
      applyOutboundAllow(["10.0.0.0/8"]);
      expect((await assertOutboundUrl("http://10.1.2.3/mcp", policy)).hostname).toBe("10.1.2.3");
      applyOutboundAllow([]);
      await expect(assertOutboundUrl("http://10.1.2.3/mcp", policy)).rejects.toThrow("a private address (10.1.2.3)");
      expect(liveOutboundPolicy()).toBe(policy);
    } finally {
      applyOutboundAllow(outboundPolicyFromEnv().allow);
    }
  });
});

describe("assertOutboundUrl", () => {
  it.each([
    ["ftp://example.com/file", "Only http and https URLs are supported, not ftp:."],
    ["file:///etc/passwd", "Only http and https URLs are supported, not file:."],
    ["not a url", '"not a url" is not a valid absolute URL.'],
    ["/relative/path", '"/relative/path" is not a valid absolute URL.'],
    ["http://admin:secret@example.com/", "URLs with a username or password are not accepted; send credentials as headers instead."],
  ])("refuses %s", async (url, message) => {
    await expect(assertOutboundUrl(url, development)).rejects.toThrow(new ValidationError(message));
  });

  it("refuses the cloud metadata address with an explanation", async () => {
    await expect(assertOutboundUrl("http://169.254.169.254/latest/meta-data?token=x", development)).rejects.toThrow(
      new ValidationError(
        "http://169.254.169.254/latest/meta-data points at a link-local address (169.254.169.254), which Toolgate does not connect to. " +
          "An administrator can allow private ranges under Admin → Outbound connections.",
      ),
    );
  });

  it.each([
    ["http://10.1.2.3:8080/mcp", "a private address (10.1.2.3)"],
    ["http://127.0.0.1/", "a loopback address (127.0.0.1)"],
    ["http://[::1]/", "a loopback address (::1)"],
    ["http://[::ffff:169.254.169.254]/", "a link-local address (169.254.169.254)"],
    ["http://[::ffff:127.0.0.1]/", "a loopback address (127.0.0.1)"],
    ["http://2130706433/", "a loopback address (127.0.0.1)"],
    ["http://[fd12::1]/", "a unique local address (fd12::1)"],
    ["http://[::127.0.0.1]/", "a reserved IPv6 address (::7f00:1)"],
    ["http://[64:ff9b::a9fe:a9fe]/", "a special-purpose address (rfc6052)"],
    ["http://0.0.0.0/", "an unspecified address (0.0.0.0)"],
  ])("refuses %s under the production policy", async (url, described) => {
    await expect(assertOutboundUrl(url, production)).rejects.toThrow(described);
  });

  it("refuses a host name that resolves to a loopback address under the production policy", async () => {
    await expect(assertOutboundUrl("http://localhost:3000/mcp", production)).rejects.toThrow(
      /^http:\/\/localhost:3000\/mcp resolves to a loopback address \((127\.0\.0\.1|::1)\)/,
    );
  });

  it("refuses a host that does not resolve", async () => {
    await expect(assertOutboundUrl("http://example.invalid/mcp", development)).rejects.toThrow(
      new ValidationError("Cannot resolve host example.invalid."),
    );
  });

  it("allows loopback under the development policy", async () => {
    expect((await assertOutboundUrl("http://127.0.0.1:3000/mcp", development)).href).toBe("http://127.0.0.1:3000/mcp");
    expect((await assertOutboundUrl("http://[::1]:3000/mcp", development)).host).toBe("[::1]:3000");
    expect((await assertOutboundUrl("http://localhost:3000/mcp", development)).hostname).toBe("localhost");
  });

  it("allows an explicitly allowed private range and public addresses", async () => {
    expect((await assertOutboundUrl("https://10.1.2.3/mcp", { allow: ["10.0.0.0/8"] })).hostname).toBe("10.1.2.3");
    expect((await assertOutboundUrl("https://93.184.215.14/mcp", production)).hostname).toBe("93.184.215.14");
  });
});

describe("guardedFetch", () => {
  let base: string;
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? "/", "http://localhost");
    if (pathname === "/small") res.end("ok");
    else if (pathname === "/declared-large") res.writeHead(200, { "content-length": "2000" }).end("x".repeat(2000));
    else if (pathname === "/streamed-large") streamForever(res);
    else if (pathname === "/redirect") res.writeHead(302, { location: "http://169.254.169.254/" }).end();
    // /silent never answers.
  });

  beforeAll(async () => {
    base = await listenOnLoopback(server);
  });
  afterAll(() => closeServer(server));

  const limits = { maxResponseBytes: 1024, timeoutMs: 500 };

  it("fetches within the limits", async () => {
    const response = await guardedFetch(development, limits)(`${base}/small`);
    expect(await response.text()).toBe("ok");
  });

  it("refuses a declared Content-Length over the limit before reading", async () => {
    await expect(guardedFetch(development, limits)(`${base}/declared-large`)).rejects.toThrow(
      new OutboundResponseError("The server's response exceeded the 1 KB limit."),
    );
  });

  it("stops reading a streamed body once it passes the limit", async () => {
    // A body that is not an event stream is read before the response is handed over, so either step may refuse it.
    const reading = guardedFetch(development, { ...limits, maxResponseBytes: 5 * 1024 * 1024 })(`${base}/streamed-large`).then((response) => response.text());
    await expect(reading).rejects.toThrow(new OutboundResponseError("The server's response exceeded the 5 MB limit."));
  });

  it("gives up after the timeout", async () => {
    const started = Date.now();
    await expect(guardedFetch(development, limits)(`${base}/silent`)).rejects.toThrow(
      new OutboundResponseError(`${base}/silent did not answer within 0.5 s.`),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("keeps the caller's own abort", async () => {
    const caller = new AbortController();
    const pending = guardedFetch(development, limits)(`${base}/silent`, { signal: caller.signal });
    caller.abort(new Error("caller gave up"));
    await expect(pending).rejects.toThrow("caller gave up");
  });

  it("refuses redirects", async () => {
    await expect(guardedFetch(development, limits)(`${base}/redirect`)).rejects.toThrow(
      new OutboundResponseError(`${base}/redirect redirects elsewhere (HTTP 302); Toolgate does not follow redirects. Use the final address instead.`),
    );
  });

  it("refuses a forbidden IP literal before connecting", async () => {
    await expect(guardedFetch(production, limits)(`${base}/small`)).rejects.toThrow(/points at a loopback address \(127\.0\.0\.1\)/);
  });

  it("checks the address a host name resolves to when connecting", async () => {
    const viaName = base.replace("127.0.0.1", "localhost");
    const refusal = guardedFetch(production, limits)(`${viaName}/small`);
    await expect(refusal).rejects.toBeInstanceOf(ValidationError);
    await expect(refusal).rejects.toThrow(/^localhost resolves to a loopback address/);
  });
});

function streamForever(res: http.ServerResponse) {
  const chunk = Buffer.alloc(64 * 1024, "x");
  const writeMore = () => {
    while (!res.destroyed) if (!res.write(chunk)) return void res.once("drain", writeMore);
  };
  writeMore();
}

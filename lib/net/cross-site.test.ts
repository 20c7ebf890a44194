import { afterEach, describe, expect, it } from "vitest";
import { crossSiteRefusal, requestOrigin } from "./cross-site";

const url = "http://localhost:3300/api/v1/servers";
const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

const refusal = (method: string, headers: Record<string, string>) => crossSiteRefusal(method, new Headers(headers), url);

describe("the cross-site request check", () => {
  it("lets safe methods through from anywhere", () => {
    process.env.NEXTAUTH_URL = "http://localhost:3300";
    for (const method of ["GET", "HEAD", "OPTIONS"]) expect(refusal(method, { origin: "http://localhost:3404", "sec-fetch-site": "cross-site" })).toBeNull();
  });

  it("refuses a state-changing request from another origin, whatever else it claims", () => {
    process.env.NEXTAUTH_URL = "http://localhost:3300";
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(refusal(method, { origin: "http://localhost:3404", "content-type": "text/plain; charset=application/json" })).toMatch(/Origin http:\/\/localhost:3404 is not this app's own/);
    }
    expect(refusal("POST", { origin: "http://evil.example", "x-forwarded-host": "evil.example", host: "localhost:3300", "sec-fetch-site": "same-origin" })).toMatch(/not this app's own/);
    expect(refusal("POST", { origin: "null" })).toMatch(/not this app's own/);
  });

  it("without an Origin, refuses what the browser calls cross-site or same-site", () => {
    process.env.NEXTAUTH_URL = "http://localhost:3300";
    expect(refusal("POST", { "sec-fetch-site": "cross-site" })).toMatch(/cross-site request/);
    expect(refusal("POST", { "sec-fetch-site": "same-site" })).toMatch(/same-site request/);
    expect(refusal("POST", { "sec-fetch-site": "same-origin" })).toBeNull();
    expect(refusal("POST", { "sec-fetch-site": "none" })).toBeNull();
  });

  it("lets the app's own origin and its loopback aliases through, and requests from no browser at all", () => {
    process.env.NEXTAUTH_URL = "http://127.0.0.1:3300";
    expect(refusal("POST", { origin: "http://localhost:3300", "sec-fetch-site": "same-origin" })).toBeNull();
    expect(refusal("POST", { origin: "http://127.0.0.1:3300" })).toBeNull();
    expect(refusal("POST", {})).toBeNull();
  });

  it("takes the request's origin from X-Forwarded-Host/-Proto only behind a trusted proxy", () => {
    const headers = new Headers({ host: "127.0.0.1:3300", "x-forwarded-host": "evil.example, 127.0.0.1:3300", "x-forwarded-proto": "https" });
    delete process.env.TOOLGATE_TRUST_PROXY;
    expect(requestOrigin(headers)).toBe("http://127.0.0.1:3300");
    delete process.env.NEXTAUTH_URL;
    expect(crossSiteRefusal("POST", new Headers({ origin: "http://evil.example", "x-forwarded-host": "evil.example", host: "127.0.0.1:3300" }), requestOrigin(headers))).toMatch(/not this app's own/);
    process.env.TOOLGATE_TRUST_PROXY = "true";
    expect(requestOrigin(headers)).toBe("https://evil.example");
  });
});

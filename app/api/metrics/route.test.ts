import { afterEach, describe, expect, it, vi } from "vitest";
import { GET } from "./route";

const scrape = (authorization?: string) =>
  GET(new Request("http://localhost/api/metrics", { headers: authorization ? { authorization } : {} }));

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("GET /api/metrics", () => {
  it("serves Prometheus text to anyone when TOOLGATE_METRICS_TOKEN is unset", async () => {
    vi.stubEnv("TOOLGATE_METRICS_TOKEN", undefined);
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = await response.text();
    expect(body).toContain("# TYPE toolgate_gateway_calls_total counter");
    expect(body).toContain("toolgate_approvals_pending");
  });

  it("needs the bearer token when TOOLGATE_METRICS_TOKEN is set: none or a wrong one is 401", async () => {
    vi.stubEnv("TOOLGATE_METRICS_TOKEN", "scrape-token-1234");
    const refusals = [
      [await scrape(), /send it as `Authorization: Bearer <token>`/],
      [await scrape("Basic c2NyYXBlOnRva2Vu"), /send it as/],
      [await scrape("Bearer scrape-token-123"), /not the metrics token/],
      [await scrape("Bearer scrape-token-12345"), /not the metrics token/],
    ] as const;
    for (const [response, message] of refusals) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ error: expect.stringMatching(message), code: "unauthorized" });
    }
    const allowed = await scrape("Bearer scrape-token-1234");
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toContain("toolgate_gateway_calls_total");
  });

  it("treats an empty TOOLGATE_METRICS_TOKEN as unset", async () => {
    vi.stubEnv("TOOLGATE_METRICS_TOKEN", "");
    expect((await scrape()).status).toBe(200);
  });
});

import { beforeEach, describe, expect, it } from "vitest";
import { governanceMetaKey, officialMetaKey, type ServerList, type ServerResponse } from "@/lib/registry/contract";
import { agentWithKey, call, corsExpected, expectCors, grant, namespace, registryServer, setAnonymousRead } from "@/test/registry";
import { officialOpenApi, problems, serverJsonValidator } from "@/test/registry-schemas";
import { GET as catchAll } from "@/app/v0.1/[...path]/route";
import { GET as getVersion, OPTIONS as versionPreflight } from "./[version]/route";
import { GET as listVersions, OPTIONS } from "./route";

const openApi = officialOpenApi();
const officialVersions = openApi.response("/v0.1/servers/{serverName}/versions", "200");
const officialVersion = openApi.response("/v0.1/servers/{serverName}/versions/{version}", "200");
const official404 = openApi.response("/v0.1/servers/{serverName}/versions/{version}", "404");
const serverJson = serverJsonValidator();

// As Next.js hands them over: the URL as sent, `params` decoded once from the dynamic segments.
const versionsUrl = (name: string) => `/v0.1/servers/${encodeURIComponent(name)}/versions`;
const versions = (name: string, options: { key?: string; query?: string } = {}) =>
  call(listVersions, `${versionsUrl(name)}${options.query ?? ""}`, { key: options.key, params: { serverName: name } });
const version = (name: string, wanted: string, key?: string) =>
  call(getVersion, `${versionsUrl(name)}/${encodeURIComponent(wanted)}`, { key, params: { serverName: name, version: wanted } });

let ns: string;
beforeEach(async () => {
  ns = namespace();
  await setAnonymousRead(false);
  await registryServer(`${ns}/crm`, { "1.0.0": "deprecated", "1.1.0": "certified", "1.2.0": "certified", "1.3.0": "rejected", "1.4.0": "in_review", "2.0.0": "retired" }, { prod: "1.1.0", staging: "1.2.0", dev: "2.0.0" });
});

describe("GET /v0.1/servers/{serverName}/versions", () => {
  it("lists the versions an agent may see, valid against the official schemas", async () => {
    const agent = await agentWithKey("prod");
    const response = await versions(`${ns}/crm`, { key: agent.key });
    expect(response.status).toBe(200);
    expect(officialVersions(response.body), problems(officialVersions)).toBe(true);
    const body = response.body as ServerList;
    expect(body.servers.map((entry) => entry.server.version)).toEqual(["1.1.0"]);
    expect(body.metadata).toEqual({ count: 1 });
    expect(serverJson(body.servers[0]!.server), problems(serverJson)).toBe(true);
    expect(expectCors(response.headers)).toEqual(corsExpected);
  });

  it("with anonymous read on lists every certified and deprecated version, newest first, never rejected, in review or retired", async () => {
    await setAnonymousRead(true);
    const response = await versions(`${ns}/crm`);
    expect(officialVersions(response.body), problems(officialVersions)).toBe(true);
    const body = response.body as ServerList;
    expect(body.servers.map((entry) => [entry.server.version, entry._meta[officialMetaKey].status, entry._meta[officialMetaKey].isLatest])).toEqual([
      ["1.2.0", "active", true],
      ["1.1.0", "active", false],
      ["1.0.0", "deprecated", false],
    ]);
  });

  it("answers 404 {error} for unknown servers and for servers with nothing the caller may see", async () => {
    const agent = await agentWithKey("prod");
    await registryServer(`${ns}/drafty`, { "1.0.0": "draft" }, { prod: "1.0.0" });
    const devOnly = await registryServer(`${ns}/dev-only`, { "1.0.0": "certified" }, { dev: "1.0.0" });
    for (const name of [`${ns}/nothing`, `${ns}/drafty`, `${ns}/dev-only`]) {
      const response = await versions(name, { key: agent.key });
      expect(response.status, name).toBe(404);
      expect(official404(response.body), problems(official404)).toBe(true);
      expect(response.body).toEqual({ error: `No server named ${name} is in the registry.`, code: "not_found" });
      expect(expectCors(response.headers)).toEqual(corsExpected);
    }
    // granted=true narrows to granted servers here too.
    const devAgent = await agentWithKey("dev");
    expect((await versions(`${ns}/dev-only`, { key: devAgent.key, query: "?granted=true" })).status).toBe(404);
    await grant(devAgent.agentId, devOnly.id);
    expect((await versions(`${ns}/dev-only`, { key: devAgent.key, query: "?granted=true" })).status).toBe(200);
  });

  it("reads the URL-encoded name whether or not Next.js decoded %2F in params", async () => {
    const agent = await agentWithKey("prod");
    const url = `/v0.1/servers/${ns}%2Fcrm/versions`;
    for (const params of [{ serverName: `${ns}/crm` }, { serverName: `${ns}%2Fcrm` }]) {
      const response = await call(listVersions, url, { key: agent.key, params });
      expect(response.status).toBe(200);
    }
    const lowercase = await call(listVersions, `/v0.1/servers/${ns}%2fcrm/versions`, { key: agent.key, params: { serverName: `${ns}/crm` } });
    expect(lowercase.status).toBe(200);
  });

  it.each([
    ["../ in the name", "..%2F..%2Fetc%2Fpasswd", "../../etc/passwd", /\.\./],
    ["encoded traversal", "%2e%2e%2f%2e%2e%2fetc", "../../etc", /\.\./],
    ["a double-encoded slash", "com.example%252Fcrm", "com.example%2Fcrm", /encoded more than once/],
    ["double-encoded traversal", "%252e%252e%252f", "%2e%2e%2f", /encoded more than once/],
    ["a control character", "com.example%2Fcrm%00", "com.example/crm\u0000", /control characters/],
    ["a CRLF", "com.example%2Fcrm%0D%0AX-Injected:1", "com.example/crm\r\nX-Injected:1", /control characters/],
    ["a name without a namespace", "crm", "crm", /com.example\/crm/],
  ])("refuses %s with a clear 400", async (_label, raw, decoded, message) => {
    const agent = await agentWithKey("prod");
    const response = await call(listVersions, `/v0.1/servers/${raw}/versions`, { key: agent.key, params: { serverName: decoded } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(message), code: "bad_request" });
    expect(expectCors(response.headers)).toEqual(corsExpected);
  });

  it("needs a key like the list does", async () => {
    const response = await versions(`${ns}/crm`);
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    const revoked = await agentWithKey("prod", { revokedAt: new Date() });
    await setAnonymousRead(true);
    expect((await versions(`${ns}/crm`, { key: revoked.key })).status).toBe(401);
  });

  it("answers the CORS preflight", async () => {
    for (const preflight of [OPTIONS, versionPreflight]) {
      const response = preflight();
      expect(response.status).toBe(204);
      expect(expectCors(response.headers)).toEqual(corsExpected);
    }
  });
});

describe("GET /v0.1/servers/{serverName}/versions/{version}", () => {
  it("returns one visible version, and `latest`, valid against the official ServerResponse", async () => {
    const staging = await agentWithKey("staging");
    for (const wanted of ["1.2.0", "latest"]) {
      const response = await version(`${ns}/crm`, wanted, staging.key);
      expect(response.status, wanted).toBe(200);
      expect(officialVersion(response.body), problems(officialVersion)).toBe(true);
      const entry = response.body as ServerResponse;
      expect(serverJson(entry.server), problems(serverJson)).toBe(true);
      expect(entry.server.version).toBe("1.2.0");
      expect(entry._meta[officialMetaKey].isLatest).toBe(true);
      expect(entry._meta[governanceMetaKey]!.environments).toEqual(["staging"]);
    }
  });

  it("answers 404 for versions that exist but are not visible: another environment's, rejected, in review, retired, unknown", async () => {
    const prod = await agentWithKey("prod");
    for (const wanted of ["1.2.0", "1.3.0", "1.4.0", "2.0.0", "9.9.9"]) {
      const response = await version(`${ns}/crm`, wanted, prod.key);
      expect(response.status, wanted).toBe(404);
      expect(official404(response.body), problems(official404)).toBe(true);
      expect(response.body).toEqual({ error: `Version ${wanted} of ${ns}/crm is not in the registry.`, code: "not_found" });
    }
    await setAnonymousRead(true);
    expect((await version(`${ns}/crm`, "1.0.0")).status).toBe(200);
    expect((await version(`${ns}/crm`, "2.0.0")).status).toBe(404);
  });

  it("decodes a version with build metadata (%2B) once", async () => {
    await registryServer(`${ns}/built`, { "1.0.0+20130313144700": "certified" }, { prod: "1.0.0+20130313144700" });
    const prod = await agentWithKey("prod");
    const response = await call(getVersion, `/v0.1/servers/${ns}%2Fbuilt/versions/1.0.0%2B20130313144700`, {
      key: prod.key,
      params: { serverName: `${ns}/built`, version: "1.0.0+20130313144700" },
    });
    expect(response.status).toBe(200);
    expect((response.body as ServerResponse).server.version).toBe("1.0.0+20130313144700");
  });

  it.each([
    ["a traversal", "..%2F..%2Fadmin", "../../admin", /semantic version/],
    ["a double-encoded version", "1.0.0%252B1", "1.0.0%2B1", /encoded more than once/],
    ["a control character", "1.0.0%00", "1.0.0\u0000", /control characters/],
  ])("refuses a version with %s with a clear 400", async (_label, raw, decoded, message) => {
    const prod = await agentWithKey("prod");
    const response = await call(getVersion, `/v0.1/servers/${ns}%2Fcrm/versions/${raw}`, { key: prod.key, params: { serverName: `${ns}/crm`, version: decoded } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(message), code: "bad_request" });
  });
});

describe("anything else under /v0.1", () => {
  it("answers a JSON 404 with CORS, hinting at the encoded slash", async () => {
    const response = await call(catchAll, `/v0.1/servers/com.example/crm/versions`, { params: { path: ["servers", "com.example", "crm", "versions"] } });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: expect.stringContaining("com.example%2Fcrm"), code: "not_found" });
    expect(expectCors(response.headers)).toEqual(corsExpected);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { governanceMetaKey, officialMetaKey, type ServerList } from "@/lib/registry/contract";
import { agentWithKey, call, corsExpected, expectCors, grant, namespace, registryServer, setAnonymousRead } from "@/test/registry";
import { officialOpenApi, problems, serverJsonValidator } from "@/test/registry-schemas";
import { GET, OPTIONS } from "./route";

const openApi = officialOpenApi();
const officialList = openApi.response("/v0.1/servers", "200");
const serverJson = serverJsonValidator();

const list = (query: string, options: Parameters<typeof call>[2] = {}) => call(GET, `/v0.1/servers${query}`, options);

/** A 200 listing, checked against the official ServerList schema and each entry against server.json. */
async function listing(query: string, key?: string): Promise<ServerList> {
  const response = await list(query, { key });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(officialList(response.body), problems(officialList)).toBe(true);
  const body = response.body as ServerList;
  for (const entry of body.servers) expect(serverJson(entry.server), problems(serverJson)).toBe(true);
  return body;
}

const versionsOf = (body: ServerList) => body.servers.map((entry) => `${entry.server.name}@${entry.server.version}`).sort();

beforeEach(() => setAnonymousRead(false));

describe("GET /v0.1/servers: who may read", () => {
  it("answers 401 with a Bearer challenge (and CORS) without a key while anonymous read is off", async () => {
    const response = await list("");
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: expect.stringMatching(/agent key/), code: "unauthorized" });
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer realm="toolgate-registry"/);
    expect(expectCors(response.headers)).toEqual(corsExpected);
  });

  it("answers 401 for malformed, unknown, revoked and expired keys and disabled agents, also with anonymous read on", async () => {
    const revoked = await agentWithKey("prod", { revokedAt: new Date(Date.now() - 1000) });
    const expired = await agentWithKey("prod", { expiresAt: new Date(Date.now() - 1000) });
    const disabled = await agentWithKey("prod", { disabled: true });
    const unknown = `tgk_abcdefgh_${"A".repeat(43)}`;
    for (const anonymousRead of [false, true]) {
      await setAnonymousRead(anonymousRead);
      for (const key of [revoked.key, expired.key, disabled.key, unknown, "not-a-key"]) {
        const response = await list("", { key });
        expect(response.status, key).toBe(401);
        expect(response.body).toEqual({ error: expect.stringMatching(/not valid/), code: "unauthorized" });
        expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
      }
      const basic = await list("", { authorization: "Basic dXNlcjpwYXNz" });
      expect(basic.status).toBe(401);
      expect(basic.headers.get("www-authenticate")).toContain('error="invalid_request"');
    }
  });

  it("shows an agent the versions certified and promoted to its environment, and never anything uncertified", async () => {
    const ns = namespace();
    const crm = await registryServer(`${ns}/crm`, { "1.0.0": "certified", "1.1.0": "certified", "1.2.0": "draft" }, { prod: "1.0.0", staging: "1.1.0" });
    await registryServer(`${ns}/legacy`, { "1.0.0": "deprecated" }, { prod: "1.0.0" });
    // Pinned but never certified (or no longer listed): must not show even where pinned.
    await registryServer(`${ns}/unfinished`, { "1.0.0": "draft", "2.0.0": "submitted", "3.0.0": "in_review", "4.0.0": "rejected", "5.0.0": "retired" }, { prod: "5.0.0", staging: "4.0.0", dev: "3.0.0" });
    await registryServer(`${ns}/unpinned`, { "1.0.0": "certified" });

    const prod = await agentWithKey("prod");
    const body = await listing(`?search=${ns}`, prod.key);
    expect(versionsOf(body)).toEqual([`${ns}/crm@1.0.0`, `${ns}/legacy@1.0.0`]);
    expect(body.metadata).toEqual({ count: 2 });
    const legacy = body.servers.find((entry) => entry.server.name === `${ns}/legacy`)!;
    expect(legacy._meta[officialMetaKey]).toMatchObject({ status: "deprecated", isLatest: true });
    const crmEntry = body.servers.find((entry) => entry.server.name === `${ns}/crm`)!;
    expect(crmEntry._meta[governanceMetaKey]).toMatchObject({ environments: ["prod"], certification: { state: "certified" } });

    const staging = await agentWithKey("staging");
    expect(versionsOf(await listing(`?search=${ns}`, staging.key))).toEqual([`${ns}/crm@1.1.0`]);
    const dev = await agentWithKey("dev");
    expect(versionsOf(await listing(`?search=${ns}`, dev.key))).toEqual([]);
    expect(crm.versionIds).toHaveLength(3);
  });

  it("with granted=true shows an agent only the servers it holds an active, unexpired grant for", async () => {
    const ns = namespace();
    const pinned = { prod: "1.0.0" };
    const certified = { "1.0.0": "certified" } as const;
    const granted = await registryServer(`${ns}/granted`, certified, pinned);
    const pending = await registryServer(`${ns}/pending`, certified, pinned);
    const expired = await registryServer(`${ns}/expired`, certified, pinned);
    const revoked = await registryServer(`${ns}/revoked`, certified, pinned);
    await registryServer(`${ns}/never`, certified, pinned);
    const agent = await agentWithKey("prod");
    await grant(agent.agentId, granted.id);
    await grant(agent.agentId, pending.id, "pending");
    await grant(agent.agentId, expired.id, "active", new Date(Date.now() - 1000));
    await grant(agent.agentId, revoked.id, "revoked");

    expect(versionsOf(await listing(`?search=${ns}&granted=true`, agent.key))).toEqual([`${ns}/granted@1.0.0`]);
    expect(await listing(`?search=${ns}&granted=false`, agent.key).then((b) => b.metadata.count)).toBe(5);
    // Asking for grants without saying who you are is an authentication problem, even with anonymous read on.
    await setAnonymousRead(true);
    expect((await list(`?search=${ns}&granted=true`)).status).toBe(401);
  });

  it("with anonymous read on shows every certified or deprecated version in any environment, and nothing else", async () => {
    const ns = namespace();
    await registryServer(`${ns}/all`, { "0.1.0": "draft", "0.2.0": "submitted", "0.3.0": "in_review", "0.4.0": "rejected", "0.5.0": "retired", "1.0.0": "deprecated", "1.1.0": "certified", "1.2.0": "certified" }, { dev: "1.2.0" });
    await setAnonymousRead(true);
    const body = await listing(`?search=${ns}`);
    expect(versionsOf(body)).toEqual([`${ns}/all@1.0.0`, `${ns}/all@1.1.0`, `${ns}/all@1.2.0`]);
    const latest = body.servers.filter((entry) => entry._meta[officialMetaKey].isLatest);
    expect(latest.map((entry) => entry.server.version)).toEqual(["1.2.0"]);
  });
});

describe("GET /v0.1/servers: filters", () => {
  beforeEach(() => setAnonymousRead(true));

  it("version=latest gives each server's newest certified version (a deprecated one only when nothing else is left), a page at a time", async () => {
    const ns = namespace();
    await registryServer(`${ns}/a`, { "1.0.0": "certified", "1.10.0": "certified", "1.9.0": "certified", "2.0.0": "deprecated", "3.0.0": "rejected" });
    await registryServer(`${ns}/b`, { "0.9.0": "deprecated" });
    await registryServer(`${ns}/c`, { "1.0.0": "draft" });
    await registryServer(`${ns}/d`, { "4.0.0": "certified" });

    const first = await listing(`?search=${ns}&version=latest&limit=2`);
    expect(versionsOf(first)).toEqual([`${ns}/a@1.10.0`, `${ns}/b@0.9.0`]);
    expect(first.servers.every((entry) => entry._meta[officialMetaKey].isLatest)).toBe(true);
    const second = await listing(`?search=${ns}&version=latest&limit=2&cursor=${first.metadata.nextCursor}`);
    expect(versionsOf(second)).toEqual([`${ns}/d@4.0.0`]);
    expect(second.metadata.nextCursor).toBeUndefined();

    expect(versionsOf(await listing(`?search=${ns}&version=1.9.0`))).toEqual([`${ns}/a@1.9.0`]);
    expect(versionsOf(await listing(`?search=${ns}&version=3.0.0`))).toEqual([]);
  });

  it("search matches a substring of the name, case-insensitively", async () => {
    const ns = namespace();
    await registryServer(`${ns}/Weather-Forecast`, { "1.0.0": "certified" });
    await registryServer(`${ns}/maps`, { "1.0.0": "certified" });
    expect(versionsOf(await listing(`?search=${encodeURIComponent(`${ns}/weather`)}`))).toEqual([`${ns}/Weather-Forecast@1.0.0`]);
    expect(versionsOf(await listing(`?search=${ns}-nothing`))).toEqual([]);
  });

  it("updated_since keeps versions certified, deprecated or promoted since then, and entries edited since then", async () => {
    const ns = namespace();
    const past = new Date(Date.now() - 60_000);
    const certifiedLongAgo = [{ version: "1.0.0", status: "certified" as const, certifiedAt: past }];
    const old = await registryServer(`${ns}/old`, certifiedLongAgo);
    const promoted = await registryServer(`${ns}/promoted`, certifiedLongAgo);
    await registryServer(`${ns}/untouched`, certifiedLongAgo);
    await db().$executeRaw`UPDATE servers SET updated_at = ${past} WHERE name LIKE ${`${ns}/%`}`;
    await db().$executeRaw`UPDATE server_versions SET created_at = ${past} WHERE server_id IN (SELECT id FROM servers WHERE name LIKE ${`${ns}/%`})`;
    const since = new Date(Date.now() - 1000);

    await registryServer(`${ns}/new`, { "1.0.0": "certified" });
    await db().pin.create({ data: { serverId: promoted.id, environment: "prod", versionId: promoted.versionIds[0]! } });
    await db().serverVersion.update({ where: { id: old.versionIds[0]! }, data: { status: "deprecated", deprecatedAt: new Date() } });

    const body = await listing(`?search=${ns}&updated_since=${since.toISOString()}`);
    expect(versionsOf(body)).toEqual([`${ns}/new@1.0.0`, `${ns}/old@1.0.0`, `${ns}/promoted@1.0.0`]);
    for (const entry of body.servers) expect(new Date(entry._meta[officialMetaKey].updatedAt).getTime()).toBeGreaterThanOrEqual(since.getTime());
    expect(versionsOf(await listing(`?search=${ns}&version=latest&updated_since=${since.toISOString()}`))).toHaveLength(3);
  });
});

describe("GET /v0.1/servers: pagination", () => {
  beforeEach(() => setAnonymousRead(true));

  it("walks every certified version exactly once across pages, also when servers are added between fetches", async () => {
    const ns = namespace();
    const names = ["b", "d", "f", "h", "j", "l", "n"].map((letter) => `${ns}/srv-${letter}`);
    for (const name of names) {
      await registryServer(name, { "1.0.0": "certified", "1.1.0": "certified", "2.0.0": "draft" });
    }
    const expected = names.flatMap((name) => [`${name}@1.0.0`, `${name}@1.1.0`]);

    const seen: string[] = [];
    const added: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const body = await listing(`?search=${ns}&limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(body.metadata.count).toBe(body.servers.length);
      expect(body.servers.length).toBeLessThanOrEqual(3);
      seen.push(...body.servers.map((entry) => `${entry.server.name}@${entry.server.version}`));
      cursor = body.metadata.nextCursor;
      pages++;
      // Between fetches: a server sorting before the cursor, one after it, and a new version of one already seen.
      const letter = String.fromCharCode(97 + pages * 2);
      for (const name of [`${ns}/aa-${pages}`, `${ns}/srv-${letter}${letter}`]) {
        await registryServer(name, { "1.0.0": "certified" });
        added.push(`${name}@1.0.0`);
      }
      await db().serverVersion.updateMany({ where: { server: { name: names[0] }, version: "2.0.0" }, data: { status: "certified" } });
    } while (cursor && pages < 20);

    expect(new Set(seen).size).toBe(seen.length);
    for (const version of expected) expect(seen).toContain(version);
    expect(seen.every((version) => expected.includes(version) || added.includes(version))).toBe(true);
    expect(pages).toBeGreaterThanOrEqual(5);
  });

  it("bounds the page size: 30 by default, at most 100", async () => {
    const ns = namespace();
    for (let i = 0; i < 32; i++) await registryServer(`${ns}/s${String(i).padStart(2, "0")}`, { "1.0.0": "certified" });
    const first = await listing(`?search=${ns}`);
    expect(first.metadata.count).toBe(30);
    expect(first.metadata.nextCursor).toEqual(expect.any(String));
    expect((await listing(`?search=${ns}&limit=100`)).metadata).toEqual({ count: 32 });
  });

  it.each([
    ["limit=0", /limit/],
    ["limit=10000", /limit/],
    ["limit=abc", /limit/],
    ["cursor=bm90IGEgY3Vyc29y", /cursor/],
    ["cursor=%25%25", /cursor/],
    ["updated_since=last-week", /RFC 3339/],
    ["version=..%2F1.0.0", /version/],
    ["granted=maybe", /granted/],
  ])("refuses %s with a clear 400 (and CORS)", async (query, message) => {
    const response = await list(`?${query}`);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: expect.stringMatching(message), code: "bad_request" });
    expect(expectCors(response.headers)).toEqual(corsExpected);
  });
});

describe("GET /v0.1/servers: entries", () => {
  const original = process.env.NEXTAUTH_URL;
  afterEach(() => {
    if (original === undefined) delete process.env.NEXTAUTH_URL;
    else process.env.NEXTAUTH_URL = original;
  });

  it("points remotes at the entry's own gateway endpoint (NEXTAUTH_URL, else the request's origin), never at the backend", async () => {
    const ns = namespace();
    await registryServer(`${ns}/crm`, { "1.0.0": "certified" }, { prod: "1.0.0" });
    const agent = await agentWithKey("prod");
    process.env.NEXTAUTH_URL = "https://toolgate.example.com/";
    const configured = await listing(`?search=${ns}`, agent.key);
    expect(configured.servers[0]!.server.remotes).toEqual([expect.objectContaining({ type: "streamable-http", url: `https://toolgate.example.com/mcp/servers/${encodeURIComponent(`${ns}/crm`)}` })]);
    delete process.env.NEXTAUTH_URL;
    const fromRequest = await listing(`?search=${ns}`, agent.key);
    expect(fromRequest.servers[0]!.server.remotes[0]!.url).toBe(`http://localhost/mcp/servers/${encodeURIComponent(`${ns}/crm`)}`);
    expect(JSON.stringify(fromRequest)).not.toContain("127.0.0.1:9");
  });

  it("reports engaged kill switches and the tools that need approval in the agent's environment", async () => {
    const ns = namespace();
    const server = await registryServer(`${ns}/ops`, [{ version: "1.0.0", status: "certified", approvalTools: ["read_record"] }], { prod: "1.0.0" });
    await db().killSwitch.create({ data: { scope: "version", serverId: server.id, versionId: server.versionIds[0]!, reason: "Investigating" } });
    const agent = await agentWithKey("prod");
    const [entry] = (await listing(`?search=${ns}`, agent.key)).servers;
    expect(entry!._meta[governanceMetaKey]).toMatchObject({
      tools: [{ name: "read_record", requiresApproval: true, approvalEnvironments: ["dev", "staging", "prod"] }],
      killed: [{ scope: "version", toolName: null }],
    });
  });
});

describe("OPTIONS /v0.1/servers", () => {
  it("answers the CORS preflight with 204 and the allowed methods and headers", async () => {
    const response = OPTIONS();
    expect(response.status).toBe(204);
    expect(expectCors(response.headers)).toEqual(corsExpected);
    expect(await response.text()).toBe("");
  });
});

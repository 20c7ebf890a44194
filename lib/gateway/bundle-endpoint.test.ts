import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBundle, decideBundleVersion, saveBundleDraft, submitBundleVersion } from "@/lib/bundles/bundles";
import { db } from "@/lib/db/prisma";
import { makeTeam, makeUser } from "@/test/factories";
import { clientEras, connectLegacy, connectModern } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { activatePolicyText } from "@/test/policy-sets";
import { agentWithKey, grant } from "@/test/registry";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { flushGatewayAudit } from "./audit-queue";
import { flushEdgeRefusals } from "./edge-refusals";
import { clearResolutionCache } from "./invalidation";

// /mcp/bundles/{name}: exactly the bundle's tools the agent may use, named without prefix unless two collide.

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
let recordsId: string;
let recordsVersionId: string;
let owner: Awaited<ReturnType<typeof makeUser>>;
let reviewer: Awaited<ReturnType<typeof makeUser>>;
let strangerKey: string;
const records = "com.example/records";
const ledger = "com.example/ledger";
const hidden = "com.example/hidden";

async function certifiedBundle(name: string, teamId: string, tools: { server: string; tool: string }[]) {
  await createBundle(owner, { name, title: name, teamId, tools });
  await submitBundleVersion(owner, { bundle: name, number: 1 });
  await decideBundleVersion(reviewer, { bundle: name, number: 1, reason: "Fits the desk." }, "certify");
}

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  ({ serverId: recordsId, versionId: recordsVersionId, agentId, key } = await governFixtureServer(fixture.url, { name: records }));
  const second = await governFixtureServer(fixture.url, { name: ledger });
  await grant(agentId, second.serverId);
  // Certified and pinned, but granted to another agent only: a bundle naming it gives this agent nothing.
  await governFixtureServer(fixture.url, { name: hidden });
  const { teamId } = await db().agent.findUniqueOrThrow({ where: { id: agentId }, select: { teamId: true } });
  owner = await makeUser(["owner"]);
  await db().teamMember.create({ data: { teamId, userId: owner.id } });
  reviewer = await makeUser(["reviewer"]);
  await certifiedBundle("support-desk", teamId, [
    { server: records, tool: "read_record" },
    { server: ledger, tool: "read_record" },
    { server: records, tool: "search_records" },
    { server: hidden, tool: "delete_record" },
  ]);
  // Another team's bundle, and an agent of that team.
  const otherTeam = await makeTeam([owner]);
  await certifiedBundle("other-desk", otherTeam.id, [{ server: records, tool: "read_record" }]);
  ({ key: strangerKey } = await agentWithKey("prod"));
  gateway = await startGatewayServer();
});

afterAll(() => closeGatewayTest(gateway, fixture));

const bundleUrl = (name: string) => `${gateway.origin}/mcp/bundles/${name}`;
const bearer = () => ({ Authorization: `Bearer ${key}` });
const eras = clientEras(bearer);

describe.each(eras)("a bundle's endpoint over MCP %s", (_era, connect) => {
  it("lists exactly the bundle's tools the agent may use, prefixed only where two collide", async () => {
    const client = await connect(bundleUrl("support-desk"));
    const names = (await client.listTools()).tools.map((tool) => tool.name).sort();
    expect(names).toEqual(["com.example_sledger__read_record", "com.example_srecords__read_record", "search_records"]);
    await client.close();
  });

  it("calls a tool by its bundle name, and refuses a tool outside the bundle as no such tool", async () => {
    const client = await connect(bundleUrl("support-desk"));
    const result = await client.callTool({ name: "search_records", arguments: { query: "x" } });
    expect(result.isError ?? false).toBe(false);
    expect((await client.callTool({ name: "com.example_sledger__read_record", arguments: { id: "l-1" } })).structuredContent).toEqual({ id: "l-1" });
    await expect(client.callTool({ name: "delete_record", arguments: { id: "x" } })).rejects.toThrow(/no such tool: delete_record/);
    await expect(client.callTool({ name: "com.example_shidden__delete_record", arguments: { id: "x" } })).rejects.toThrow(/no such tool/);
    await client.close();
  });

  it("drops a killed tool from the bundle as from /mcp", async () => {
    const kill = await db().killSwitch.create({ data: { scope: "tool", serverId: recordsId, toolName: "search_records", reason: "Leaks data" } });
    clearResolutionCache();
    try {
      const client = await connect(bundleUrl("support-desk"));
      expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain("search_records");
      await expect(client.callTool({ name: "search_records", arguments: { query: "x" } })).rejects.toThrow(/kill switch: Leaks data/);
      await client.close();
    } finally {
      await db().killSwitch.update({ where: { id: kill.id }, data: { clearedAt: new Date(), clearReason: "fixed" } });
      clearResolutionCache();
    }
  });
});

describe("governance at a bundle's endpoint", () => {
  it("hides and refuses a tool the active policy set forbids, as at /mcp", async () => {
    await activatePolicyText(`${defaultPolicyText(["critical"])}\n@id("no-search")\nforbid (principal, action, resource) when { resource.name == "search_records" };\n`);
    try {
      const client = await connectModern(bundleUrl("support-desk"), bearer());
      expect((await client.listTools()).tools.map((tool) => tool.name)).not.toContain("search_records");
      await expect(client.callTool({ name: "search_records", arguments: { query: "x" } })).rejects.toThrow(/forbidden by policy no-search/);
      await client.close();
    } finally {
      await activatePolicyText(defaultPolicyText(["critical"]));
    }
  });

  it("hides a drifted tool, and serves nothing of an entry whose grant is revoked", async () => {
    const incident = await db().driftIncident.create({ data: { serverId: recordsId, versionId: recordsVersionId, toolName: "search_records", pinnedHash: "x".repeat(64) } });
    clearResolutionCache();
    const drifted = await connectModern(bundleUrl("support-desk"), bearer());
    expect((await drifted.listTools()).tools.map((tool) => tool.name).sort()).toEqual(["com.example_sledger__read_record", "com.example_srecords__read_record"]);
    await expect(drifted.callTool({ name: "search_records", arguments: { query: "x" } })).rejects.toThrow(/definition drift/);
    await drifted.close();
    const revoked = await db().grant.updateMany({ where: { agentId, serverId: recordsId }, data: { status: "revoked" } });
    expect(revoked.count).toBe(1);
    clearResolutionCache();
    try {
      const client = await connectLegacy(bundleUrl("support-desk"), bearer());
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["com.example_sledger__read_record"]);
      await client.close();
      const entry = await fetch(`${gateway.origin}/mcp/servers/${encodeURIComponent(records)}`, {
        method: "POST",
        headers: { ...bearer(), "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
      });
      expect(entry.status).toBe(404);
    } finally {
      await db().driftIncident.update({ where: { id: incident.id }, data: { resolvedAt: new Date() } });
      await db().grant.updateMany({ where: { agentId, serverId: recordsId }, data: { status: "active" } });
      clearResolutionCache();
    }
  });
});

describe("refusals of a bundle's endpoint", () => {
  const post = (name: string, token = key) =>
    fetch(bundleUrl(name), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${token}` },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    });

  it("answers another team's bundle, an unknown one and one not yet certified alike: 404, audited", async () => {
    await saveBundleDraft(owner, { bundle: "support-desk", tools: [{ server: records, tool: "read_record" }] });
    const answers = await Promise.all([post("other-desk"), post("no-such-desk"), post("support-desk", strangerKey)]);
    expect(answers.map((answer) => answer.status)).toEqual([404, 404, 404]);
    const messages = await Promise.all(answers.map(async (answer) => ((await answer.json()) as { error: { message: string } }).error.message));
    expect(messages[0]).toBe("No bundle other-desk is available to this agent at /mcp/bundles/other-desk.");
    flushEdgeRefusals();
    await flushGatewayAudit();
    const rows = await db().auditEvent.findMany({ where: { action: "gateway.edge", actorId: agentId } });
    expect(rows.some((row) => (row.details as { reason: string }).reason === "unavailable_endpoint")).toBe(true);
  });

  it.each(["Support-Desk", "..%2Fsupport-desk", "support%0Adesk", "support desk", "-desk", "a".repeat(65)])("refuses the name %j with 400", async (name) => {
    expect((await post(name)).status).toBe(400);
  });

  it("keeps serving the certified version while a newer draft waits", async () => {
    const client = await connectModern(bundleUrl("support-desk"), bearer());
    expect((await client.listTools()).tools).toHaveLength(3);
    await client.close();
  });
});

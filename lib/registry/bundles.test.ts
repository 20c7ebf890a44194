import { beforeAll, describe, expect, it } from "vitest";
import type { AgentIdentity } from "@/lib/agents/keys";
import { createBundle, decideBundleVersion, saveBundleDraft, submitBundleVersion } from "@/lib/bundles/bundles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { makeTeam, makeUser } from "@/test/factories";
import { problems, serverJsonValidator } from "@/test/registry-schemas";
import { agentWithKey, registryServer } from "@/test/registry";
import { bundleMetaKey, governanceMetaKey, officialMetaKey } from "./contract";
import { parseListQuery } from "./params";
import { listServers, serverVersion, serverVersions } from "./read";
import type { RegistryViewer } from "./viewer";

const base = "https://toolgate.example.com";
let viewer: RegistryViewer;
let stranger: RegistryViewer;

async function agentViewer(): Promise<RegistryViewer & { kind: "agent" }> {
  const { agentId, keyId } = await agentWithKey("prod");
  const row = await db().agent.findUniqueOrThrow({ where: { id: agentId } });
  const agent: AgentIdentity = { agentId, name: row.name, teamId: row.teamId, environment: "prod", keyId, expiresAt: null, via: "key", scopes: ["tools:read", "tools:call"] };
  return { kind: "agent", agent, serverIds: null };
}

beforeAll(async () => {
  const agentView = await agentViewer();
  viewer = agentView;
  stranger = await agentViewer();
  await registryServer("com.example/desk", [{ version: "1.0.0", status: "certified", tools: [{ name: "search" }, { name: "get_ticket" }] }], { prod: "1.0.0" });
  await registryServer("com.example/wiki", [{ version: "1.0.0", status: "certified", tools: [{ name: "search" }] }], { prod: "1.0.0" });
  const owner = await makeUser(["owner"]);
  const reviewer = await makeUser(["reviewer"]);
  await db().teamMember.create({ data: { teamId: agentView.agent.teamId, userId: owner.id } });
  for (const name of ["support-desk", "triage-desk"]) {
    await createBundle(owner, { name, title: `The ${name}`, teamId: agentView.agent.teamId, tools: [{ server: "com.example/desk", tool: "search" }, { server: "com.example/wiki", tool: "search" }, { server: "com.example/desk", tool: "get_ticket" }] });
    await submitBundleVersion(owner, { bundle: name, number: 1 });
    await decideBundleVersion(reviewer, { bundle: name, number: 1, reason: "Fits the desk." }, "certify");
  }
  // A second certified version of support-desk, and a draft after it that is never listed.
  await saveBundleDraft(owner, { bundle: "support-desk", tools: [{ server: "com.example/desk", tool: "get_ticket" }] });
  await submitBundleVersion(owner, { bundle: "support-desk", number: 2 });
  await decideBundleVersion(reviewer, { bundle: "support-desk", number: 2, reason: "Smaller is better." }, "certify");
  await saveBundleDraft(owner, { bundle: "support-desk", tools: [{ server: "com.example/wiki", tool: "search" }] });
  // Another team's bundle.
  const other = await makeTeam([owner]);
  await createBundle(owner, { name: "other-desk", title: "Other", teamId: other.id, tools: [{ server: "com.example/wiki", tool: "search" }] });
  await submitBundleVersion(owner, { bundle: "other-desk", number: 1 });
  await decideBundleVersion(reviewer, { bundle: "other-desk", number: 1, reason: "Fine." }, "certify");
});

const list = (query: Record<string, string>, who = viewer) => listServers(who, parseListQuery(query), base);

describe("bundles in the registry API", () => {
  it("are entries whose only remote is the bundle's endpoint, valid server.json, after the catalog's entries", async () => {
    const { servers } = await list({ version: "latest" });
    expect(servers.map((entry) => entry.server.name)).toEqual(["com.example/desk", "com.example/wiki", "io.toolgate.bundles/support-desk", "io.toolgate.bundles/triage-desk"]);
    const desk = servers[2]!;
    const validate = serverJsonValidator();
    expect(validate(desk.server), problems(validate)).toBe(true);
    expect(desk.server).toMatchObject({ version: "2.0.0", remotes: [{ type: "streamable-http", url: `${base}/mcp/bundles/support-desk` }] });
    expect(desk._meta[officialMetaKey]).toMatchObject({ status: "active", isLatest: true });
    expect(desk._meta[governanceMetaKey]).toBeUndefined();
    expect(servers[3]!._meta[bundleMetaKey]!.tools.map((tool) => tool.name)).toEqual(["com.example_sdesk__search", "com.example_swiki__search", "get_ticket"]);
  });

  it("pages through entries and bundles alike, each once", async () => {
    const names: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages++) {
      const page = await list({ limit: "2", ...(cursor ? { cursor } : {}) });
      names.push(...page.servers.map((entry) => `${entry.server.name}@${entry.server.version}`));
      cursor = page.metadata.nextCursor;
      if (!cursor) break;
    }
    expect(names).toEqual(["com.example/desk@1.0.0", "com.example/wiki@1.0.0", "io.toolgate.bundles/support-desk@1.0.0", "io.toolgate.bundles/support-desk@2.0.0", "io.toolgate.bundles/triage-desk@1.0.0"]);
  });

  it("are seen only by agents of the bundle's team", async () => {
    const seen = (await list({}, stranger)).servers.map((entry) => entry.server.name);
    expect(seen.filter((name) => name.startsWith("io.toolgate.bundles/"))).toEqual([]);
    expect((await list({}, { kind: "anonymous" })).servers.some((entry) => entry.server.name.startsWith("io.toolgate.bundles/"))).toBe(false);
    await expect(serverVersions(stranger, "io.toolgate.bundles/support-desk", base)).rejects.toThrow(NotFoundError);
    await expect(serverVersions(viewer, "io.toolgate.bundles/other-desk", base)).rejects.toThrow(NotFoundError);
  });

  it("answer the versions and version endpoints, newest first", async () => {
    const versions = await serverVersions(viewer, "io.toolgate.bundles/support-desk", base);
    expect(versions.servers.map((entry) => entry.server.version)).toEqual(["2.0.0", "1.0.0"]);
    expect((await serverVersion(viewer, "io.toolgate.bundles/support-desk", "latest", base)).server.version).toBe("2.0.0");
    expect((await serverVersion(viewer, "io.toolgate.bundles/support-desk", "1.0.0", base))._meta[officialMetaKey].isLatest).toBe(false);
    await expect(serverVersion(viewer, "io.toolgate.bundles/support-desk", "3.0.0", base)).rejects.toThrow(NotFoundError);
  });

  it("filter by search as entries do", async () => {
    expect((await list({ search: "triage" })).servers.map((entry) => entry.server.name)).toEqual(["io.toolgate.bundles/triage-desk"]);
  });
});

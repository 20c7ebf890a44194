import { describe, expect, it } from "vitest";
import type { KillSwitchView } from "@/lib/killswitch/types";
import { officialOpenApi, problems, serverJsonValidator } from "@/test/registry-schemas";
import { governanceMetaKey, officialMetaKey, serverSchemaUrl } from "./contract";
import type { RegistryVersionRow } from "./rows";
import { fitText, registryEntry, serverJsonOf, switchesOn } from "./server-json";
import type { RegistryViewer } from "./viewer";

const hash = (c: string) => c.repeat(64);
const at = (iso: string) => new Date(iso);

function row(overrides: Partial<RegistryVersionRow> = {}, server: Partial<RegistryVersionRow["server"]> = {}): RegistryVersionRow {
  return {
    id: "11111111-1111-4111-8111-111111111111",
    version: "1.2.0",
    status: "certified",
    createdAt: at("2026-01-01T00:00:00Z"),
    certifiedAt: at("2026-01-02T00:00:00Z"),
    deprecatedAt: null,
    sunsetAt: null,
    riskTier: "medium",
    approvalTools: ["delete_record"],
    manifest: { schema: "toolgate.manifest/v1", server: "com.example/crm", version: "1.2.0" },
    manifestSignature: "c2lnbmF0dXJl",
    signingKeyId: "0123456789abcdef",
    server: {
      id: "22222222-2222-4222-8222-222222222222",
      name: "com.example/crm",
      title: "CRM",
      purpose: "Reads and updates customer records.",
      classification: "confidential",
      approvalTools: { prod: ["update_record"] },
      updatedAt: at("2026-01-03T00:00:00Z"),
      ...server,
    },
    tools: [
      { name: "read_record", definitionHash: hash("a") },
      { name: "update_record", definitionHash: hash("b") },
      { name: "delete_record", definitionHash: hash("c") },
    ],
    evidence: [
      { kind: "sbom", sha256: hash("d") },
      { kind: "eval_result", sha256: hash("e") },
      { kind: "eval_result", sha256: hash("f") },
    ],
    pins: [
      { environment: "staging", pinnedAt: at("2026-01-04T00:00:00Z") },
      { environment: "dev", pinnedAt: at("2026-01-05T00:00:00Z") },
    ],
    ...overrides,
  };
}

const anonymous: RegistryViewer = { kind: "anonymous" };
const prodAgent: RegistryViewer = {
  kind: "agent",
  agent: { agentId: "a", name: "bot", teamId: "t", environment: "prod", keyId: "k", expiresAt: null, via: "key", scopes: ["tools:read", "tools:call", "tools:call:high-risk"] },
  serverIds: null,
};
const context = { baseUrl: "https://toolgate.example.com", viewer: anonymous, isLatest: true, switches: [] };

describe("server.json of a certified version", () => {
  const validate = serverJsonValidator();

  it("is a valid 2025-12-11 server.json whose only remote is the entry's own gateway endpoint", () => {
    const json = serverJsonOf(row(), "https://toolgate.example.com");
    expect(validate(json), problems(validate)).toBe(true);
    expect(json).toMatchObject({ $schema: serverSchemaUrl, name: "com.example/crm", title: "CRM", version: "1.2.0" });
    expect(json.remotes).toEqual([
      expect.objectContaining({ type: "streamable-http", url: "https://toolgate.example.com/mcp/servers/com.example%2Fcrm", headers: [expect.objectContaining({ name: "Authorization", isSecret: true })] }),
    ]);
    expect(JSON.stringify(json)).not.toContain("127.0.0.1");
  });

  it("fits long or multi-line titles and purposes into the schema's 100 characters, counting code points", () => {
    const purpose = `Reads\n\n  records ${"🦊".repeat(150)}`;
    const json = serverJsonOf(row({}, { purpose, title: "T".repeat(300) }), "http://localhost:3000");
    expect(validate(json), problems(validate)).toBe(true);
    expect([...json.description]).toHaveLength(100);
    expect(json.description.startsWith("Reads records 🦊")).toBe(true);
    expect(json.description.endsWith("…")).toBe(true);
    expect([...json.title!]).toHaveLength(100);
    expect(fitText("  short  text ")).toBe("short text");
  });

  it("describes an entry without a purpose by its title, and omits an empty title", () => {
    expect(serverJsonOf(row({}, { purpose: "  " }), "http://h").description).toBe("CRM");
    const bare = serverJsonOf(row({}, { purpose: "", title: "" }), "http://h");
    expect(bare.description).toBe("com.example/crm");
    expect(bare).not.toHaveProperty("title");
    expect(validate(bare), problems(validate)).toBe(true);
  });
});

describe("registry entry metadata", () => {
  const openApi = officialOpenApi();
  const serverResponse = openApi.component("ServerResponse");

  it("carries the official metadata and our governance facts, valid as an official ServerResponse", () => {
    const entry = registryEntry(row(), context);
    expect(serverResponse(entry), problems(serverResponse)).toBe(true);
    expect(entry._meta[officialMetaKey]).toEqual({
      status: "active",
      publishedAt: "2026-01-02T00:00:00.000Z",
      updatedAt: "2026-01-05T00:00:00.000Z",
      isLatest: true,
    });
    const governance = entry._meta[governanceMetaKey];
    expect(governance).toMatchObject({
      riskTier: "medium",
      classification: "confidential",
      certification: { state: "certified", certifiedAt: "2026-01-02T00:00:00.000Z", deprecatedAt: null, sunsetAt: null },
      environments: ["dev", "staging"],
      evidenceSummary: { total: 3, byKind: { sbom: 1, eval_result: 2 } },
      manifest: { signature: "c2lnbmF0dXJl", keyId: "0123456789abcdef", manifest: expect.objectContaining({ version: "1.2.0" }) },
      killed: [],
    });
    expect(governance.evidenceSummary.items).toEqual([
      { kind: "sbom", sha256: hash("d") },
      { kind: "eval_result", sha256: hash("e") },
      { kind: "eval_result", sha256: hash("f") },
    ]);
  });

  it("says which tools need an approval: anywhere for anonymous readers, in the agent's environment for agents", () => {
    const tools = (viewer: RegistryViewer) => registryEntry(row(), { ...context, viewer })._meta[governanceMetaKey].tools;
    expect(tools(anonymous)).toEqual([
      { name: "read_record", definitionHash: hash("a"), requiresApproval: false, approvalEnvironments: [] },
      { name: "update_record", definitionHash: hash("b"), requiresApproval: true, approvalEnvironments: ["prod"] },
      { name: "delete_record", definitionHash: hash("c"), requiresApproval: true, approvalEnvironments: ["dev", "staging", "prod"] },
    ]);
    const devAgent: RegistryViewer = { ...prodAgent, agent: { ...prodAgent.agent, environment: "dev" } } as RegistryViewer;
    expect(tools(devAgent).map((tool) => tool.requiresApproval)).toEqual([false, false, true]);
    expect(tools(prodAgent).map((tool) => tool.requiresApproval)).toEqual([false, true, true]);
  });

  it("marks a deprecated version deprecated, with its dates, and never takes the owner-editable entry's risk tier for the reviewer's", () => {
    const deprecated = row({ status: "deprecated", deprecatedAt: at("2026-02-01T00:00:00Z"), sunsetAt: at("2026-03-01T00:00:00Z"), riskTier: null });
    const entry = registryEntry(deprecated, { ...context, isLatest: false });
    expect(serverResponse(entry), problems(serverResponse)).toBe(true);
    expect(entry._meta[officialMetaKey]).toMatchObject({ status: "deprecated", isLatest: false, updatedAt: "2026-02-01T00:00:00.000Z" });
    expect(entry._meta[governanceMetaKey]).toMatchObject({
      riskTier: null,
      certification: { state: "deprecated", deprecatedAt: "2026-02-01T00:00:00.000Z", sunsetAt: "2026-03-01T00:00:00.000Z" },
    });
  });

  it("leaves the manifest out when the version has no signed one, and dates publication by import when certification was not dated", () => {
    const entry = registryEntry(row({ manifest: null, manifestSignature: null, signingKeyId: null, certifiedAt: null }), context);
    expect(entry._meta[governanceMetaKey].manifest).toBeNull();
    expect(entry._meta[officialMetaKey].publishedAt).toBe("2026-01-01T00:00:00.000Z");
  });

  it("lists the kill switches that stop this version or its tools, and no others", () => {
    const version = row();
    const base = { serverName: "com.example/crm", version: null, reason: "r", engagedBy: null, engagedAt: at("2026-01-06T00:00:00Z") };
    const make = (scope: KillSwitchView["scope"], serverId: string | null, versionId: string | null, toolName: string | null, id: string): KillSwitchView => ({
      ...base,
      id,
      scope,
      serverId,
      versionId,
      toolName,
    });
    const otherServer = "33333333-3333-4333-8333-333333333333";
    const otherVersion = "44444444-4444-4444-8444-444444444444";
    const switches = [
      make("global", null, null, null, "global"),
      make("server", version.server.id, null, null, "server"),
      make("version", version.server.id, version.id, null, "version"),
      make("version", version.server.id, otherVersion, null, "other-version"),
      make("tool", version.server.id, null, "delete_record", "tool-all-versions"),
      make("tool", version.server.id, version.id, "read_record", "tool-this-version"),
      make("tool", version.server.id, otherVersion, "read_record", "tool-other-version"),
      make("server", otherServer, null, null, "other-server"),
    ];
    expect(switchesOn(version, switches).map((s) => s.id)).toEqual(["global", "server", "version", "tool-all-versions", "tool-this-version"]);
    const killed = registryEntry(version, { ...context, switches })._meta[governanceMetaKey].killed;
    expect(killed).toContainEqual({ scope: "tool", toolName: "delete_record", engagedAt: "2026-01-06T00:00:00.000Z" });
    expect(killed).toHaveLength(5);
  });
});

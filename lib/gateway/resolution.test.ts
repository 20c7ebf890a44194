import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { encryptSecret } from "@/lib/crypto/secret-box";
import { db } from "@/lib/db/prisma";
import { defaultPolicyText } from "@/lib/policy/default-policies";
import { activePolicySetRecord, rollBackPolicySet } from "@/lib/policy/policy-sets";
import { activatePolicyText, policyPeople } from "@/test/policy-sets";
import { agentWithKey, grant, registryServer } from "@/test/registry";
import { clearResolutionCache, unlistenedTtlMs } from "./invalidation";
import { namespacedToolName } from "./namespacing";
import { explainRefusal, refusalFor, resolveAgentView } from "./resolution";

// No listener runs in this file: each test that changes something clears the cache itself (the
// LISTEN/NOTIFY round trip is tested in invalidation.test.ts).

const day = 24 * 60 * 60 * 1000;
const readOnly = { readOnlyHint: true };

let agentId: string;
type ServerKey = "crm" | "drafts" | "prodonly" | "nogrant" | "pending" | "expired" | "partial" | "switches" | "stoppedversion" | "stoppedserver" | "drifting" | "dualrun" | "sunset";
const servers = {} as Record<ServerKey, { id: string; versionIds: string[] }>;

const name = (server: string, tool: string) => namespacedToolName(`com.example/${server}`, tool)!;
const visible = async (id = agentId) => (await resolveAgentView(id)).tools.map((tool) => tool.exposedName);

beforeAll(async () => {
  ({ agentId } = await agentWithKey("staging"));

  // Certified, pinned in staging, granted: visible, with approvals from the version and the entry.
  servers.crm = await registryServer(
    "com.example/crm",
    [
      {
        version: "1.0.0",
        status: "certified",
        approvalTools: ["delete_contact"],
        tools: [{ name: "get_contact", annotations: readOnly }, { name: "delete_contact" }, { name: "update_contact" }, { name: "export_contacts" }],
      },
      { version: "1.1.0", status: "certified", tools: [{ name: "get_contact", annotations: readOnly }, { name: "merge_contacts" }] },
      { version: "2.0.0", status: "in_review", tools: [{ name: "get_contact", annotations: readOnly }, { name: "purge_contacts" }] },
    ],
    { staging: "1.0.0" },
  );
  await db().server.update({
    where: { id: servers.crm.id },
    data: {
      approvalTools: { staging: ["update_contact"], prod: ["export_contacts"] },
      credentialHeader: "Authorization",
      credentialCiphertext: encryptSecret("Bearer backend-secret"),
    },
  });
  await grant(agentId, servers.crm.id);

  // Pinned in staging but not certified.
  servers.drafts = await registryServer("com.example/drafts", [{ version: "1.0.0", status: "in_review", tools: [{ name: "draft_tool" }] }], { staging: "1.0.0" });
  await grant(agentId, servers.drafts.id);

  // Certified but promoted to prod only.
  servers.prodonly = await registryServer("com.example/prodonly", [{ version: "1.0.0", status: "certified", tools: [{ name: "prod_tool" }] }], { prod: "1.0.0" });
  await grant(agentId, servers.prodonly.id);

  // Certified and pinned, but not granted: no grant, a pending one, an expired one, one for other tools.
  servers.nogrant = await registryServer("com.example/nogrant", [{ version: "1.0.0", status: "certified", tools: [{ name: "t" }] }], { staging: "1.0.0" });
  servers.pending = await registryServer("com.example/pending", [{ version: "1.0.0", status: "certified", tools: [{ name: "t" }] }], { staging: "1.0.0" });
  await grant(agentId, servers.pending.id, "pending");
  servers.expired = await registryServer("com.example/expired", [{ version: "1.0.0", status: "certified", tools: [{ name: "t" }] }], { staging: "1.0.0" });
  await grant(agentId, servers.expired.id, "active", new Date(Date.now() - 1000));
  servers.partial = await registryServer("com.example/partial", [{ version: "1.0.0", status: "certified", tools: [{ name: "granted" }, { name: "withheld" }] }], {
    staging: "1.0.0",
  });
  await db().grant.create({ data: { agentId, serverId: servers.partial.id, status: "active", tools: ["granted"] } });

  // Kill switches: a tool in every version, a tool in another version (does not apply), a version, a server.
  servers.switches = await registryServer(
    "com.example/switches",
    [
      { version: "1.0.0", status: "certified", tools: [{ name: "one" }, { name: "two" }, { name: "three" }] },
      { version: "2.0.0", status: "certified", tools: [{ name: "one" }, { name: "two" }, { name: "three" }] },
    ],
    { staging: "1.0.0" },
  );
  await grant(agentId, servers.switches.id);
  await db().killSwitch.createMany({
    data: [
      { scope: "tool", serverId: servers.switches.id, toolName: "one", reason: "One leaks secrets" },
      { scope: "tool", serverId: servers.switches.id, versionId: servers.switches.versionIds[1], toolName: "two", reason: "Only 2.0.0 is broken" },
    ],
  });
  servers.stoppedversion = await registryServer("com.example/stoppedversion", [{ version: "1.0.0", status: "certified", tools: [{ name: "t" }] }], {
    staging: "1.0.0",
  });
  await grant(agentId, servers.stoppedversion.id);
  servers.stoppedserver = await registryServer("com.example/stoppedserver", [{ version: "1.0.0", status: "certified", tools: [{ name: "t" }] }], {
    staging: "1.0.0",
  });
  await grant(agentId, servers.stoppedserver.id);
  await db().killSwitch.createMany({
    data: [
      { scope: "version", serverId: servers.stoppedversion.id, versionId: servers.stoppedversion.versionIds[0], reason: "Version 1.0.0 misbehaves" },
      { scope: "server", serverId: servers.stoppedserver.id, reason: "Backend compromised" },
    ],
  });

  // Drift: an open incident blocks its tool; a resolved one does not.
  servers.drifting = await registryServer("com.example/drifting", [{ version: "1.0.0", status: "certified", tools: [{ name: "changed" }, { name: "stable" }] }], {
    staging: "1.0.0",
  });
  await grant(agentId, servers.drifting.id);
  const driftVersion = servers.drifting.versionIds[0]!;
  await db().driftIncident.createMany({
    data: [
      { serverId: servers.drifting.id, versionId: driftVersion, toolName: "changed", pinnedHash: "a", liveHash: "b" },
      { serverId: servers.drifting.id, versionId: driftVersion, toolName: "stable", pinnedHash: "a", liveHash: "b", resolvedAt: new Date() },
    ],
  });

  // Deprecated versions still pinned: one inside its dual-run window, one past its sunset.
  servers.dualrun = await registryServer("com.example/dualrun", [{ version: "1.0.0", status: "deprecated", sunsetAt: new Date(Date.now() + 7 * day), tools: [{ name: "t" }] }], {
    staging: "1.0.0",
  });
  await grant(agentId, servers.dualrun.id);
  servers.sunset = await registryServer("com.example/sunset", [{ version: "1.0.0", status: "deprecated", sunsetAt: new Date(Date.now() - 1000), tools: [{ name: "t" }] }], {
    staging: "1.0.0",
  });
  await grant(agentId, servers.sunset.id);
});

afterEach(() => {
  vi.useRealTimers();
  clearResolutionCache();
});

describe("resolveAgentView", () => {
  it("lists exactly the certified, promoted, granted, not killed, not drifted tools, sorted by exposed name", async () => {
    expect(await visible()).toEqual(
      [
        name("crm", "delete_contact"),
        name("crm", "export_contacts"),
        name("crm", "get_contact"),
        name("crm", "update_contact"),
        name("drifting", "stable"),
        name("dualrun", "t"),
        name("partial", "granted"),
        name("switches", "three"),
        name("switches", "two"),
      ].sort(),
    );
    expect(name("crm", "get_contact")).toBe("com.example_scrm__get_contact");
  });

  it("gives the pinned definitions, approval needs from the version and from the entry for the agent's environment, and read-only hints", async () => {
    const { tools } = await resolveAgentView(agentId);
    const crm = tools.filter((tool) => tool.serverName === "com.example/crm");
    const pinned = await db().versionTool.findMany({ where: { versionId: servers.crm.versionIds[0] } });
    for (const tool of crm) {
      const row = pinned.find((candidate) => candidate.name === tool.toolName)!;
      expect(tool).toMatchObject({
        serverId: servers.crm.id,
        versionId: servers.crm.versionIds[0],
        version: "1.0.0",
        inputSchema: row.inputSchema,
        definitionHash: row.definitionHash,
        outputSchema: null,
        title: null,
        description: null,
      });
    }
    const facts = Object.fromEntries(crm.map((tool) => [tool.toolName, { requiresApproval: tool.requiresApproval, readOnly: tool.readOnly }]));
    expect(facts).toEqual({
      get_contact: { requiresApproval: false, readOnly: true },
      delete_contact: { requiresApproval: true, readOnly: false },
      update_contact: { requiresApproval: true, readOnly: false },
      export_contacts: { requiresApproval: false, readOnly: false },
    });
    expect(crm.find((tool) => tool.toolName === "get_contact")!.annotations).toEqual(readOnly);
  });

  it("gives the backends of the listed tools, with the stored credential decrypted", async () => {
    const { backends } = await resolveAgentView(agentId);
    expect([...backends.keys()].sort()).toEqual([servers.crm.id, servers.drifting.id, servers.dualrun.id, servers.partial.id, servers.switches.id].sort());
    expect(backends.get(servers.crm.id)).toEqual({
      serverId: servers.crm.id,
      serverName: "com.example/crm",
      versionId: servers.crm.versionIds[0],
      version: "1.0.0",
      endpointUrl: "http://127.0.0.1:9/mcp",
      upstreamAuth: "static",
      headers: { Authorization: "Bearer backend-secret" },
    });
    expect(backends.get(servers.partial.id)!.headers).toBeUndefined();
  });

  it("gives a minted server's backend no stored credential: the gateway signs a token per request instead", async () => {
    await db().server.update({ where: { id: servers.crm.id }, data: { upstreamAuth: "minted" } });
    try {
      clearResolutionCache();
      const backend = (await resolveAgentView(agentId)).backends.get(servers.crm.id)!;
      expect(backend.upstreamAuth).toBe("minted");
      expect(backend.headers).toBeUndefined();
    } finally {
      await db().server.update({ where: { id: servers.crm.id }, data: { upstreamAuth: "static" } });
      clearResolutionCache();
    }
  });

  it("needs approval, by policy, for every tool that is not read-only at the risk tiers the policy names", async () => {
    const agent = await agentWithKey("dev");
    const risky = await registryServer("com.example/risky", [{ version: "1.0.0", status: "in_review", tools: [{ name: "look", annotations: readOnly }, { name: "wipe" }] }], { dev: "1.0.0" });
    await db().serverVersion.update({ where: { id: risky.versionIds[0] }, data: { status: "certified", certifiedAt: new Date(), riskTier: "critical" } });
    await grant(agent.agentId, risky.id);
    const approvals = async () => (await resolveAgentView(agent.agentId)).tools.map((tool) => [tool.toolName, tool.requiresApproval, tool.approvalReason]);
    expect(await approvals()).toEqual([
      ["look", false, null],
      ["wipe", true, "Policy: tools that are not read-only need approval at risk critical."],
    ]);
    const before = await activePolicySetRecord();
    const people = await policyPeople();
    await activatePolicyText(defaultPolicyText([]), people);
    clearResolutionCache();
    expect(await approvals()).toEqual([
      ["look", false, null],
      ["wipe", false, null],
    ]);
    await rollBackPolicySet(people.approver, before.id);
    clearResolutionCache();
  });

  it("uses the environment's approval list of the entry: a prod agent needs approval for export_contacts", async () => {
    const prod = await agentWithKey("prod");
    await grant(prod.agentId, servers.crm.id);
    await grant(prod.agentId, servers.prodonly.id);
    await db().pin.create({ data: { serverId: servers.crm.id, environment: "prod", versionId: servers.crm.versionIds[0]! } });
    const { tools } = await resolveAgentView(prod.agentId);
    expect(tools.map((tool) => [tool.exposedName, tool.requiresApproval])).toEqual([
      [name("crm", "delete_contact"), true],
      [name("crm", "export_contacts"), true],
      [name("crm", "get_contact"), false],
      [name("crm", "update_contact"), false],
      [name("prodonly", "prod_tool"), false],
    ]);
  });

  it("shows a disabled or unknown agent nothing", async () => {
    const disabled = await agentWithKey("staging", { disabled: true });
    await grant(disabled.agentId, servers.crm.id);
    expect(await visible(disabled.agentId)).toEqual([]);
    expect(await visible("00000000-0000-4000-8000-000000000000")).toEqual([]);
    expect(await explainRefusal(disabled.agentId, name("crm", "get_contact"))).toEqual({ toAgent: "this agent is disabled", code: -32000, toAudit: "this agent is disabled" });
  });

  it("hides everything while the global kill switch is engaged", async () => {
    const global = await db().killSwitch.create({ data: { scope: "global", reason: "Incident 42" } });
    try {
      expect(await visible()).toEqual([]);
      const reason = "tool get_contact of server com.example/crm was stopped by a kill switch: Incident 42";
      // A granted tool's switch is named to the agent; a tool it may not see stays "no such tool".
      expect(await explainRefusal(agentId, name("crm", "get_contact"))).toEqual({ toAgent: reason, code: -32000, toAudit: reason });
      expect((await explainRefusal(agentId, name("nogrant", "t"))).toAgent).toBe(`no such tool: ${name("nogrant", "t")}`);
    } finally {
      await db().killSwitch.update({ where: { id: global.id }, data: { clearedAt: new Date() } });
    }
  });
});

describe("explainRefusal", () => {
  // Refusals of tools the agent may not see ("hidden") answer it exactly as for a tool that does not
  // exist; a switch or drift stopping a tool it would otherwise see is "told". Each cause lists the
  // tools (server/tool) it stops; the reason audited reads "tool T of server com.example/S <cause>".
  const hidden = {
    "is not certified": ["drafts/draft_tool", "crm/purge_contacts", "sunset/t"],
    "is not promoted to staging": ["prodonly/prod_tool", "crm/merge_contacts"],
    "is not granted to this agent": ["nogrant/t", "pending/t", "expired/t", "partial/withheld"],
  };
  const told = {
    "was stopped by a kill switch: One leaks secrets": ["switches/one"],
    "was stopped by a kill switch: Version 1.0.0 misbehaves": ["stoppedversion/t"],
    "was stopped by a kill switch: Backend compromised": ["stoppedserver/t"],
    "is blocked: definition drift since certification": ["drifting/changed"],
  };
  const refusals = Object.entries({ hidden, told }).flatMap(([agentHears, causes]) =>
    Object.entries(causes).flatMap(([cause, tools]) =>
      tools.map((path) => {
        const [server = "", tool = ""] = path.split("/");
        return [server, tool, `tool ${tool} of server com.example/${server} ${cause}`, agentHears] as const;
      }),
    ),
  );
  it.each(refusals)("%s %s: %s (%s)", async (server, tool, reason, agentHears) => {
    expect(await visible()).not.toContain(name(server, tool));
    // Hidden: what a name that does not exist gets (-32602). Told: the request was fine, the tool is stopped (-32000).
    const toAgent = agentHears === "hidden" ? `no such tool: ${name(server, tool)}` : reason;
    const code = agentHears === "hidden" ? -32602 : -32000;
    expect(await explainRefusal(agentId, name(server, tool))).toEqual({ toAgent, code, toAudit: reason });
  });

  it("says there is no such tool for unknown servers, undeclared tools and names outside the scheme", async () => {
    for (const exposed of [name("crm", "nope"), name("nowhere", "t"), "get_contact", "com.example_xcrm__get_contact", ""]) {
      expect(await refusalFor(agentId, exposed)).toEqual({ code: "unknown_tool", message: `no such tool: ${exposed}`, disclosable: false });
    }
  });

  it("finds nothing to refuse for a tool in the view, and says to retry", async () => {
    expect(await refusalFor(agentId, name("crm", "get_contact"))).toBeNull();
    expect((await explainRefusal(agentId, name("crm", "get_contact"))).toAgent).toBe(`${name("crm", "get_contact")} became available just now; retry the call`);
  });

  it("names the kill switch before the grant, as tools/call checks them", async () => {
    const killed = await db().killSwitch.create({ data: { scope: "server", serverId: servers.nogrant.id, reason: "Stop it" } });
    try {
      expect(await refusalFor(agentId, name("nogrant", "t"))).toEqual({
        code: "killed",
        message: "tool t of server com.example/nogrant was stopped by a kill switch: Stop it",
        disclosable: false,
      });
    } finally {
      await db().killSwitch.update({ where: { id: killed.id }, data: { clearedAt: new Date() } });
    }
  });
});

describe("the cache without a listener", () => {
  it("shares one load between concurrent callers and keeps it for a few seconds", async () => {
    const [first, second] = await Promise.all([resolveAgentView(agentId), resolveAgentView(agentId)]);
    expect(second).toBe(first);
    expect(await resolveAgentView(agentId)).toBe(first);
  });

  it("drops an entry after its TTL, so a change shows without any notification", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const before = await visible();
    expect(before).toContain(name("crm", "get_contact"));
    const killed = await db().killSwitch.create({ data: { scope: "tool", serverId: servers.crm.id, toolName: "get_contact", reason: "Paused" } });
    try {
      expect(await visible()).toEqual(before);
      vi.setSystemTime(Date.now() + unlistenedTtlMs + 1);
      expect(await visible()).not.toContain(name("crm", "get_contact"));
    } finally {
      await db().killSwitch.update({ where: { id: killed.id }, data: { clearedAt: new Date() } });
    }
  });

  it("does not keep a failed load", async () => {
    const spy = vi.spyOn(db().agent, "findUnique").mockRejectedValueOnce(new Error("connection lost"));
    await expect(resolveAgentView(agentId)).rejects.toThrow("connection lost");
    expect(await visible()).toContain(name("crm", "get_contact"));
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

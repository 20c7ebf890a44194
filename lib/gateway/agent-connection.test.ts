import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeTeam, makeUser } from "@/test/factories";
import { governFixtureServer } from "@/test/governed-server";
import { type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { connectionGuide, previewAgentTools } from "./agent-connection";
import { closeAllBackends } from "./backends";

describe("connectionGuide", () => {
  const guide = connectionGuide(new URL("https://toolgate.example.com/ignored/path"), "support-bot");

  it("points hosts at the gateway and the registry of the public base URL", () => {
    expect(guide.gatewayUrl).toBe("https://toolgate.example.com/mcp");
    expect(guide.registryUrl).toBe("https://toolgate.example.com/v0.1/servers");
    expect(guide.namingExample).toEqual({ server: "com.example/crm", tool: "get_contact", exposed: "com.example_scrm__get_contact" });
    expect(guide.entryUrlExample).toBe("https://toolgate.example.com/mcp/servers/com.example%2Fcrm");
    expect(guide.bundleUrlExample).toBe("https://toolgate.example.com/mcp/bundles/support-desk");
  });

  it("gives an mcp.json entry and an SDK client that read the key from the environment", () => {
    expect(JSON.parse(guide.mcpJson)).toEqual({
      mcpServers: { toolgate: { type: "http", url: "https://toolgate.example.com/mcp", headers: { Authorization: "Bearer ${TOOLGATE_API_KEY}" } } },
    });
    expect(guide.sdkClient).toContain('new URL("https://toolgate.example.com/mcp")');
    expect(guide.sdkClient).toContain('name: "support-bot"');
    expect(guide.sdkClient).toContain("process.env.TOOLGATE_API_KEY");
  });
});

describe("connectionGuide with an identity provider", () => {
  const issuer = "https://login.example.com/realms/agents";
  const metadataUrl = "https://login.example.com/.well-known/oauth-authorization-server/realms/agents";
  const bound = (kind: "client_id" | "sub", subject: string, enabled = true) => ({ issuer, metadataUrl, enabled, kind, subject });

  it("gives no OAuth way to an agent without a binding, or bound only to a disabled issuer", () => {
    expect(connectionGuide(new URL("https://toolgate.example.com"), "support-bot").oauth).toBeUndefined();
    expect(connectionGuide(new URL("https://toolgate.example.com"), "support-bot", [bound("client_id", "support-bot", false)]).oauth).toBeUndefined();
  });

  it("explains the client-credentials grant for the gateway's resource with the scopes to list and call", () => {
    const { oauth } = connectionGuide(new URL("https://toolgate.example.com"), "support-bot", [bound("sub", "svc-1"), bound("client_id", "support-bot")]);
    expect(oauth).toMatchObject({ issuer, kind: "client_id", subject: "support-bot", scope: "tools:read tools:call" });
    expect(oauth!.tokenRequest).toContain(`curl -s "${metadataUrl}" | jq -r .token_endpoint`);
    expect(oauth!.tokenRequest).toContain("grant_type=client_credentials");
    expect(oauth!.tokenRequest).toContain('scope="tools:read tools:call"');
    expect(oauth!.tokenRequest).toContain('"resource=https://toolgate.example.com/mcp"');
    expect(oauth!.tokenRequest).toContain("audience");
  });

  it("gives an SDK client whose client-credentials provider names the issuer and sets the scopes explicitly (v1 SDK)", () => {
    const { oauth } = connectionGuide(new URL("https://toolgate.example.com"), "support-bot", [bound("sub", "svc-1")]);
    expect(oauth!.kind).toBe("sub");
    expect(oauth!.sdkClient).toContain('from "@modelcontextprotocol/sdk/client/auth-extensions.js"');
    expect(oauth!.sdkClient).toContain(`expectedIssuer: "${issuer}"`);
    expect(oauth!.sdkClient).toContain('scope: "tools:read tools:call"');
    expect(oauth!.sdkClient).toContain('new URL("https://toolgate.example.com/mcp"), { authProvider }');
    expect(oauth!.sdkClient).not.toContain("TOOLGATE_API_KEY");
  });
});

describe("previewAgentTools", () => {
  let fixture: FixtureServer;
  let agentId: string;

  beforeAll(async () => {
    fixture = await startFixtureServer();
    ({ agentId } = await governFixtureServer(fixture.url, { name: "com.example/preview" }));
  });

  afterAll(async () => {
    await closeAllBackends();
    await fixture.close();
  });

  it("lists what the agent's tools/list shows, to someone who may see the agent", async () => {
    const admin = await makeUser(["admin"]);
    const preview = await previewAgentTools(admin, { agentId });
    expect(preview.tools).toEqual(expect.arrayContaining(["com.example_spreview__read_record", "com.example_spreview__search_records"]));
  });

  it("refuses, and audits, an owner of another team", async () => {
    const stranger = await makeUser(["owner"]);
    await makeTeam([stranger]);
    await expect(previewAgentTools(stranger, { agentId })).rejects.toThrow(ForbiddenError);
    const refusal = await db().auditEvent.findFirst({ where: { actorId: stranger.id, outcome: "denied" } });
    expect(refusal?.targetId).toBe(agentId);
  });

  it.each([
    ["not an id", { agentId: "support-bot" }],
    ["control characters", { agentId: "\u0000\u202e" }],
    ["the wrong type", { agentId: 42 }],
    ["nothing", {}],
  ])("refuses %s with a clear error", async (_case, input) => {
    const admin = await makeUser(["admin"]);
    await expect(previewAgentTools(admin, input)).rejects.toThrow(ValidationError);
  });

  it("says an agent that does not exist is unknown", async () => {
    const admin = await makeUser(["admin"]);
    await expect(previewAgentTools(admin, { agentId: "00000000-0000-4000-8000-00000000abcd" })).rejects.toThrow(NotFoundError);
  });
});

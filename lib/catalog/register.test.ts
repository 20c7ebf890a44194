import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { IntrospectionError } from "@/lib/mcp/introspect";
import { makeTeam, makeUser } from "@/test/factories";
import { defaultFixtureTools, type FixtureServer, startFixtureServer, startGarbageServer } from "@/test/mcp-fixture-server";
import { startServerEverything } from "@/test/server-everything";
import { definitionHash } from "./definition-hash";
import { getServer, getVersion, serverHistory } from "./read";
import { previewImport, registerServer } from "./register";

let fixture: FixtureServer;
let owner: Awaited<ReturnType<typeof makeUser>>;
let team: { id: string };

beforeAll(async () => {
  fixture = await startFixtureServer({ tools: defaultFixtureTools, requireHeader: { name: "Authorization", value: "Bearer fixture-secret-123" } });
  owner = await makeUser(["owner"]);
  team = await makeTeam([owner]);
});
afterAll(() => fixture.close());

const uniqueName = () => `com.example/crm-${randomBytes(3).toString("hex")}`;

function registration(overrides: Record<string, unknown> = {}) {
  return {
    name: uniqueName(),
    title: "CRM",
    purpose: "Customer records for support agents.",
    teamId: team.id,
    environments: ["dev", "prod"],
    classification: "confidential",
    endpointUrl: fixture.url,
    credential: { header: "Authorization", value: "Bearer fixture-secret-123" },
    sensitiveFields: ["email"],
    approvalTools: { prod: ["delete_record"] },
    version: { version: "1.0.0", dependencies: [{ name: "postgres", version: "16.2" }] },
    ...overrides,
  };
}

const serverCount = () => db().server.count();

describe("registering a server from the live server", () => {
  it("stores a draft version with every tool exactly as declared, hashed", async () => {
    const { id } = await registerServer(owner, registration());
    const entry = await getServer(id);
    expect(entry.versions).toHaveLength(1);
    expect(entry.versions[0]).toMatchObject({ version: "1.0.0", status: "draft", dependencies: [{ name: "postgres", version: "16.2" }] });
    expect(entry.owners.map((o) => o.user.id)).toEqual([owner.id]);
    const version = await getVersion(id, "1.0.0");
    expect(version.tools.map((t) => t.name)).toEqual(defaultFixtureTools.map((t) => t.name));
    for (const [i, declared] of defaultFixtureTools.entries()) {
      const stored = version.tools[i]!;
      expect(stored.inputSchema).toEqual(declared.inputSchema);
      expect(stored.outputSchema ?? undefined).toEqual(declared.outputSchema);
      expect(stored.annotations ?? undefined).toEqual(declared.annotations);
      expect(stored.definitionHash).toBe(definitionHash(declared));
    }
    const history = await serverHistory(id);
    expect(history.map((e) => e.action)).toEqual(["server.register"]);
  });

  it("keeps the credential encrypted and shows only a hint", async () => {
    const { id } = await registerServer(owner, registration());
    const entry = await getServer(id);
    expect(entry).toMatchObject({ credentialHeader: "Authorization", credentialHint: "••••-123" });
    expect(JSON.stringify(entry)).not.toContain("fixture-secret");
    const [row] = await db().$queryRaw<{ credential_ciphertext: string }[]>`SELECT credential_ciphertext FROM servers WHERE id = ${id}::uuid`;
    expect(row!.credential_ciphertext).not.toContain("fixture-secret");
  });

  it("imports tools, resources and prompts from the reference server-everything", async () => {
    const everything = await startServerEverything();
    try {
      const preview = await previewImport(owner, { endpointUrl: everything.url });
      expect(preview.tools.map((t) => t.name)).toContain("echo");
      expect(preview.resources.length).toBeGreaterThan(0);
      expect(preview.prompts.length).toBeGreaterThan(0);
      const { id } = await registerServer(owner, registration({ endpointUrl: everything.url, credential: undefined, approvalTools: { prod: ["echo"] } }));
      const version = await getVersion(id, "1.0.0");
      expect(version.tools.length).toBe(preview.tools.length);
      expect(version.declaredName).toBe(preview.serverInfo.name);
    } finally {
      await everything.close();
    }
  }, 60_000);
});

describe("registration is refused with a clear error and nothing saved", () => {
  it.each([
    ["a name not in the registry pattern", { name: "crm" }, "Name must look like com.example/crm"],
    ["a malformed URL", { endpointUrl: "not a url" }, "Enter a full URL"],
    ["an invalid semantic version", { version: { version: "1.0" } }, "semantic version"],
    ["no environment", { environments: [] }, "Choose at least one environment"],
    ["an authority boundary naming an unknown tool", { approvalTools: { prod: ["rm_rf"] } }, "does not declare: rm_rf"],
    ["a header value with a line break", { credential: { header: "Authorization", value: "a\r\nX-Evil: 1" } }, "one line"],
  ])("%s", async (_case, overrides, message) => {
    const before = await serverCount();
    const attempt = registerServer(owner, registration(overrides));
    await expect(attempt).rejects.toThrow(ValidationError);
    await expect(attempt).rejects.toThrow(message);
    expect(await serverCount()).toBe(before);
  });

  it("a duplicate name", async () => {
    const taken = registration();
    await registerServer(owner, taken);
    const before = await serverCount();
    await expect(registerServer(owner, { ...registration(), name: taken.name })).rejects.toThrow(ConflictError);
    expect(await serverCount()).toBe(before);
  });

  it("a server that is not reachable", async () => {
    const before = await serverCount();
    await expect(registerServer(owner, registration({ endpointUrl: "http://127.0.0.1:9/mcp" }))).rejects.toThrow(IntrospectionError);
    expect(await serverCount()).toBe(before);
  });

  it("a link-local metadata address, before connecting", async () => {
    await expect(registerServer(owner, registration({ endpointUrl: "http://169.254.169.254/" }))).rejects.toThrow(/link-local/);
  });

  it.each(["not-json", "huge", "not-mcp-404"] as const)("a server that answers %s", async (kind) => {
    const garbage = await startGarbageServer(kind);
    try {
      const before = await serverCount();
      await expect(registerServer(owner, registration({ endpointUrl: garbage.url, credential: undefined }))).rejects.toThrow(IntrospectionError);
      expect(await serverCount()).toBe(before);
    } finally {
      await garbage.close();
    }
  });

  it("a wrong credential", async () => {
    const wrong = registration({ credential: { header: "Authorization", value: "Bearer nope" } });
    await expect(registerServer(owner, wrong)).rejects.toThrow(IntrospectionError);
  });

  it("an owner outside the chosen team, with a denied audit event", async () => {
    const outsider = await makeUser(["owner"]);
    const before = await serverCount();
    await expect(registerServer(outsider, registration())).rejects.toThrow(ForbiddenError);
    expect(await serverCount()).toBe(before);
    const denied = await db().auditEvent.findFirst({ where: { actorId: outsider.id, outcome: "denied" } });
    expect(denied).toMatchObject({ action: "catalog.register", reason: "not a member of the owning team" });
  });

  it.each([["reviewer"], ["approver"], ["admin"]] as const)("a %s, who does not own servers", async (role) => {
    const person = await makeUser([role]);
    await db().teamMember.create({ data: { teamId: team.id, userId: person.id } });
    await expect(registerServer(person, registration())).rejects.toThrow(ForbiddenError);
  });
});

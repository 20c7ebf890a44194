import { beforeEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/prisma";
import { ConflictError, ForbiddenError, ValidationError } from "@/lib/errors";
import { makeTeam, makeUser } from "@/test/factories";
import { createAgent, setAgentDisabled } from "./agents";
import { authenticateAgentKey, bearerToken, createApiKey, hashKey, revokeApiKey } from "./keys";

type Person = Awaited<ReturnType<typeof makeUser>>;
let owner: Person;
let agent: { id: string; name: string };
let teamId: string;

const day = 24 * 60 * 60 * 1000;
let counter = 0;

beforeEach(async () => {
  owner = await makeUser(["owner"]);
  teamId = (await makeTeam([owner])).id;
  agent = await createAgent(owner, { name: `bot-${++counter}`, teamId, environment: "prod" });
});

describe("API keys", () => {
  it("shows the key once, stores only its hash and keeps the prefix visible", async () => {
    const created = await createApiKey(owner, { agentId: agent.id, label: "laptop" });
    expect(created.key).toMatch(/^tgk_[a-z2-7]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`tgk_${created.prefix}_`)).toBe(true);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: created.id } });
    expect(row).toMatchObject({ prefix: created.prefix, keyHash: hashKey(created.key), label: "laptop", expiresAt: null });
    expect(JSON.stringify(row)).not.toContain(created.key.split("_").slice(2).join("_"));
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "agent.key.create", targetId: agent.id } });
    expect(JSON.stringify(event.details)).not.toContain(created.key);
    expect(event.details).toMatchObject({ prefix: created.prefix });
  });

  it("authenticates a good key and records when it was last used, at most once a minute", async () => {
    const { key, id } = await createApiKey(owner, { agentId: agent.id });
    expect(await authenticateAgentKey(key)).toEqual({ agentId: agent.id, name: agent.name, teamId, environment: "prod", keyId: id, expiresAt: null, via: "key", scopes: ["tools:read", "tools:call", "tools:call:high-risk"] });
    await vi.waitFor(async () => expect((await db().apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).not.toBeNull());
    const first = (await db().apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt!;
    await authenticateAgentKey(key);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await db().apiKey.findUniqueOrThrow({ where: { id } })).lastUsedAt).toEqual(first);
  });

  it("refuses revoked keys, with a reason in the audit trail", async () => {
    const { key, id } = await createApiKey(owner, { agentId: agent.id });
    await expect(revokeApiKey(owner, { keyId: id, reason: "" })).rejects.toThrow(ValidationError);
    await revokeApiKey(owner, { keyId: id, reason: "Laptop lost." });
    expect(await authenticateAgentKey(key)).toBeNull();
    await expect(revokeApiKey(owner, { keyId: id, reason: "Again." })).rejects.toThrow(ConflictError);
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "agent.key.revoke", targetId: agent.id } });
    expect(event.reason).toBe("Laptop lost.");
  });

  it("refuses expired keys", async () => {
    const { key, id } = await createApiKey(owner, { agentId: agent.id, expiresAt: new Date(Date.now() + day) });
    expect(await authenticateAgentKey(key)).not.toBeNull();
    await db().apiKey.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await authenticateAgentKey(key)).toBeNull();
  });

  it("refuses keys of a disabled agent, and accepts them again once enabled", async () => {
    const { key } = await createApiKey(owner, { agentId: agent.id });
    await setAgentDisabled(owner, { agentId: agent.id, disabled: true });
    expect(await authenticateAgentKey(key)).toBeNull();
    await setAgentDisabled(owner, { agentId: agent.id, disabled: false });
    expect(await authenticateAgentKey(key)).not.toBeNull();
  });

  it.each([
    ["empty", ""],
    ["no scheme", "abcdefgh"],
    ["a wrong prefix alphabet", `tgk_ABCDEFGH_${"a".repeat(43)}`],
    ["a short secret", `tgk_abcdefgh_${"a".repeat(42)}`],
    ["trailing text", `tgk_abcdefgh_${"a".repeat(43)} x`],
    ["SQL", "tgk_' OR 1=1 --"],
  ])("refuses a malformed key: %s", async (_case, token) => {
    expect(await authenticateAgentKey(token)).toBeNull();
  });

  it("refuses an unknown, well-formed key and one with a changed secret", async () => {
    const { key } = await createApiKey(owner, { agentId: agent.id });
    expect(await authenticateAgentKey(`tgk_abcdefgh_${"a".repeat(43)}`)).toBeNull();
    const changed = key.slice(0, -1) + (key.endsWith("A") ? "B" : "A");
    expect(await authenticateAgentKey(changed)).toBeNull();
  });

  it.each([
    ["in the past", new Date(Date.now() - day).toISOString(), /must be in the future/],
    ["more than a year ahead", new Date(Date.now() + 400 * day).toISOString(), /at most 366 days/],
    ["not a date", "soon", /must be a date/],
  ])("refuses an expiry %s", async (_case, expiresAt, message) => {
    await expect(createApiKey(owner, { agentId: agent.id, expiresAt })).rejects.toThrow(message);
    expect(await db().apiKey.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it("reads a datetime-local expiry as UTC", async () => {
    const local = new Date(Date.now() + day).toISOString().slice(0, 16);
    const { id } = await createApiKey(owner, { agentId: agent.id, expiresAt: local });
    expect((await db().apiKey.findUniqueOrThrow({ where: { id } })).expiresAt!.toISOString()).toBe(`${local}:00.000Z`);
  });

  it("lets only administrators and the agent's team manage its keys", async () => {
    const outsider = await makeUser(["owner"]);
    const reviewer = await makeUser(["reviewer"]);
    const admin = await makeUser(["admin"]);
    await expect(createApiKey(outsider, { agentId: agent.id })).rejects.toThrow(ForbiddenError);
    await expect(createApiKey(reviewer, { agentId: agent.id })).rejects.toThrow(ForbiddenError);
    const { id } = await createApiKey(admin, { agentId: agent.id });
    await expect(revokeApiKey(outsider, { keyId: id, reason: "Not mine." })).rejects.toThrow(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: outsider.id, outcome: "denied" } })).toBe(2);
  });
});

describe("bearerToken", () => {
  it.each([
    ["Bearer tgk_abc", "tgk_abc"],
    ["bearer   tgk_abc ", "tgk_abc"],
    [null, null],
    ["", null],
    ["Basic dXNlcg==", null],
    ["Bearer", null],
    ["Bearer a b", null],
  ])("%j → %j", (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });
});

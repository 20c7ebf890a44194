import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { type ReplayFixture, replayFixture } from "@/test/audited-calls";
import { makeUser } from "@/test/factories";
import { explainDecision } from "./explain";
import { activePolicySetRecord, saveDraft } from "./policy-sets";

let fixture: ReplayFixture;
let reviewer: Actor;
let author: Actor;

async function draftWith(policy: string): Promise<string> {
  const active = await activePolicySetRecord();
  return (await saveDraft(author, { text: `${active.text}\n${policy}\n`, description: "A question." })).id;
}

beforeAll(async () => {
  fixture = await replayFixture();
  reviewer = await makeUser(["reviewer"]);
  author = await makeUser(["admin"]);
  await db().pin.create({ data: { serverId: fixture.serverId, environment: "prod", versionId: fixture.versionId } });
});

describe("explainDecision", () => {
  it("answers the active set's decision for the tool pinned in the agent's environment, naming the policies", async () => {
    const active = await activePolicySetRecord();
    const read = await explainDecision(reviewer, { agent: fixture.alice.name, server: fixture.serverName, tool: "read_record" });
    expect(read).toEqual({
      decision: "allow",
      policyIds: ["granted-tools"],
      errors: [],
      policySet: { id: active.id, number: active.number, hash: active.hash },
      agent: fixture.alice,
      tool: { server: fixture.serverName, name: "read_record", version: "1.0.0" },
    });
    const remove = await explainDecision(reviewer, { agent: fixture.alice.id, server: fixture.serverName, tool: "delete_record" });
    expect(remove.decision).toBe("approval");
    expect(remove.policyIds).toContain("reviewer-marked-approval");
  });

  it("decides with a named set, with the call's arguments and at the time asked", async () => {
    const noDestructive = await draftWith(`@id("no-destructive")\nforbid (principal, action, resource) when { resource.destructive };`);
    const ask = (extra: object) => explainDecision(reviewer, { agent: fixture.alice.name, server: fixture.serverName, tool: "delete_record", ...extra });
    expect(await ask({ policySetId: noDestructive })).toMatchObject({ decision: "deny", policyIds: ["no-destructive"] });

    const noEtc = await draftWith(`@id("no-etc")\nforbid (principal, action, resource) when { context.arguments.hasTag("path") && context.arguments.getTag("path") like "/etc/*" };`);
    expect((await ask({ policySetId: noEtc, arguments: { path: "/etc/passwd" } })).decision).toBe("deny");
    expect((await ask({ policySetId: noEtc, arguments: { path: "/tmp/x" } })).decision).toBe("approval");

    const nights = await draftWith(`@id("not-at-night")\nforbid (principal, action, resource) when { context.hourOfDay < 6 };`);
    expect((await ask({ policySetId: nights, at: "2026-11-30T03:00:00Z" })).decision).toBe("deny");
    expect((await ask({ policySetId: nights, at: "2026-11-30T14:00:00+02:00" })).decision).toBe("approval");
  });

  it("answers NotFoundError for an unknown agent, server or tool, or a server not pinned in the agent's environment", async () => {
    const dev = await db().agent.create({ data: { name: `dev-${randomUUID().slice(0, 6)}`, teamId: fixture.teamId, environment: "dev" }, select: { name: true } });
    const base = { agent: fixture.alice.name, server: fixture.serverName, tool: "read_record" };
    for (const input of [{ ...base, agent: "nobody" }, { ...base, agent: randomUUID() }, { ...base, server: "com.example/none" }, { ...base, tool: "nope" }, { ...base, agent: dev.name }, { ...base, policySetId: randomUUID() }]) {
      await expect(explainDecision(reviewer, input)).rejects.toBeInstanceOf(NotFoundError);
    }
  });

  it("refuses malformed, oversized and unsafe input", async () => {
    const base = { agent: fixture.alice.name, server: fixture.serverName, tool: "read_record" };
    const inputs = [
      null,
      "read_record",
      { ...base, arguments: [] },
      { ...base, arguments: "x" },
      { ...base, arguments: { blob: "x".repeat(64 * 1024) } },
      { ...base, arguments: { path: "a\u202eb" } },
      { ...base, agent: "alice\u0000" },
      { ...base, tool: "" },
      { ...base, tool: 7 },
      { ...base, at: "yesterday" },
      { ...base, at: "2026-11-30" },
      { ...base, policySetId: "set-1" },
      { ...base, extra: true },
      { ...base, agent: "a".repeat(201) },
    ];
    for (const input of inputs) await expect(explainDecision(reviewer, input)).rejects.toBeInstanceOf(ValidationError);
  });

  it("needs policies.view, and the refusal is audited", async () => {
    const owner = await makeUser(["owner"]);
    await expect(explainDecision(owner, { agent: fixture.alice.name, server: fixture.serverName, tool: "read_record" })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await db().auditEvent.count({ where: { actorId: owner.id, outcome: "denied", action: "policies.view" } })).toBe(1);
  });
});

import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { type ReplayFixture, replayFixture } from "@/test/audited-calls";
import { makeUser } from "@/test/factories";
import { POST } from "./route";

// The signed-in person, without a session cookie: whoever the test sets.
const session = vi.hoisted(() => ({ actor: null as Actor | null }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

let fixture: ReplayFixture;

const ask = (body: unknown, contentType = "application/json") =>
  POST(new Request("http://localhost/api/v1/policies/why", { method: "POST", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) }), { params: Promise.resolve({}) });

beforeAll(async () => {
  fixture = await replayFixture();
  await db().pin.create({ data: { serverId: fixture.serverId, environment: "prod", versionId: fixture.versionId } });
});

describe("POST /api/v1/policies/why", () => {
  it("answers the decision and the policies that made it", async () => {
    session.actor = await makeUser(["approver"]);
    const response = await ask({ agent: fixture.alice.name, server: fixture.serverName, tool: "delete_record", at: "2026-11-30T10:00:00Z" });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ decision: "approval", policyIds: expect.arrayContaining(["reviewer-marked-approval"]), tool: { version: "1.0.0" } });
  });

  it("answers 400 to malformed input, 404 to unknown names and 403 without policies.view", async () => {
    session.actor = await makeUser(["reviewer"]);
    const base = { agent: fixture.alice.name, server: fixture.serverName, tool: "read_record" };
    for (const body of ["{", { ...base, arguments: [1] }, { ...base, at: "now" }, { ...base, tool: "read\nrecord" }, { ...base, arguments: { a: "x".repeat(70_000) } }, 42]) {
      expect((await ask(body)).status).toBe(400);
    }
    expect((await ask(base, "text/plain")).status).toBe(400);
    expect((await ask({ ...base, server: "com.example/unknown" })).status).toBe(404);
    session.actor = await makeUser(["owner"]);
    expect((await ask(base)).status).toBe(403);
  });
});

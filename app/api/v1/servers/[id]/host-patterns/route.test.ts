import { beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { PUT } from "./route";

// The owner's gateway settings over the JSON API against the database; only the session is stood in for.
const session = vi.hoisted(() => ({ actor: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ requireActor: async () => session.actor }));

let owner: Actor;
let stranger: Actor;
let serverId: string;

const signedIn = (actor: Actor) => (session.actor = { ...actor, name: "Test Person" });
const put = (id: string, body: unknown, contentType = "application/json") =>
  PUT(new Request(`http://localhost/api/v1/servers/${id}/host-patterns`, { method: "PUT", headers: { "content-type": contentType }, body: typeof body === "string" ? body : JSON.stringify(body) }), { params: Promise.resolve({ id }) });

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  stranger = await makeUser(["owner"]);
  await makeTeam([stranger]);
  ({ id: serverId } = await makeServer({ teamId: (await makeTeam([owner])).id }));
});

describe("PUT /api/v1/servers/{id}/host-patterns", () => {
  it("sets the entry's result cache and idempotency window for its owner", async () => {
    signedIn(owner);
    const response = await put(serverId, { resultCacheTtlSeconds: 60, idempotencyWindowSeconds: 900 });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ resultCacheTtlSeconds: 60, idempotencyWindowSeconds: 900 });
    expect(await db().server.findUniqueOrThrow({ where: { id: serverId }, select: { resultCacheTtlSeconds: true } })).toEqual({ resultCacheTtlSeconds: 60 });
  });

  it("refuses another team's owner (403), bad values and bodies (400), and an id that is not a UUID", async () => {
    signedIn(stranger);
    expect((await put(serverId, { resultCacheTtlSeconds: 0, idempotencyWindowSeconds: 0 })).status).toBe(403);
    signedIn(owner);
    const tooLong = await put(serverId, { resultCacheTtlSeconds: 301, idempotencyWindowSeconds: 600 });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(await tooLong.json())).toMatch(/at most 300 seconds/);
    expect((await put(serverId, "{not json")).status).toBe(400);
    expect((await put(serverId, { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 1 }, "text/plain")).status).toBe(400);
    expect((await put("not-a-uuid", { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 1 })).status).toBe(400);
    expect((await put(crypto.randomUUID(), { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 1 })).status).toBe(404);
    expect(await db().server.findUniqueOrThrow({ where: { id: serverId }, select: { resultCacheTtlSeconds: true, idempotencyWindowSeconds: true } })).toEqual({ resultCacheTtlSeconds: 60, idempotencyWindowSeconds: 900 });
  });
});

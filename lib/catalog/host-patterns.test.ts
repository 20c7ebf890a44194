import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import { makeServer, makeTeam, makeUser } from "@/test/factories";
import { updateHostPatterns } from "./edit";

// The owner's gateway settings of an entry (decision 035): who may set them, what is refused, what is audited.

let owner: Awaited<ReturnType<typeof makeUser>>;
let serverId: string;

beforeAll(async () => {
  owner = await makeUser(["owner"]);
  const team = await makeTeam([owner]);
  ({ id: serverId } = await makeServer({ teamId: team.id }));
});

const stored = () => db().server.findUniqueOrThrow({ where: { id: serverId }, select: { resultCacheTtlSeconds: true, idempotencyWindowSeconds: true } });

describe("an entry's result cache and idempotency window", () => {
  it("are off and ten minutes until the owner changes them", async () => {
    expect(await stored()).toEqual({ resultCacheTtlSeconds: 0, idempotencyWindowSeconds: 600 });
  });

  it("are set by an owner of the entry's team, whatever its version's status, and audited", async () => {
    await db().serverVersion.updateMany({ where: { serverId }, data: { status: "certified" } });
    await updateHostPatterns(owner, serverId, { resultCacheTtlSeconds: "30", idempotencyWindowSeconds: 3600 });
    expect(await stored()).toEqual({ resultCacheTtlSeconds: 30, idempotencyWindowSeconds: 3600 });
    const event = await db().auditEvent.findFirstOrThrow({ where: { action: "server.update", targetId: serverId }, orderBy: { occurredAt: "desc" } });
    expect(event.details).toMatchObject({ resultCacheTtlSeconds: "0 -> 30", idempotencyWindowSeconds: "600 -> 3600" });
  });

  it("refuses an owner of another team and a person without the edit role, audited", async () => {
    const stranger = await makeUser(["owner"]);
    await makeTeam([stranger]);
    const viewer = await makeUser(["reviewer"]);
    for (const actor of [stranger, viewer]) {
      await expect(updateHostPatterns(actor, serverId, { resultCacheTtlSeconds: 300, idempotencyWindowSeconds: 0 })).rejects.toBeInstanceOf(ForbiddenError);
      expect(await db().auditEvent.count({ where: { actorId: actor.id, targetId: serverId, outcome: "denied" } })).toBe(1);
    }
    expect(await stored()).toEqual({ resultCacheTtlSeconds: 30, idempotencyWindowSeconds: 3600 });
  });

  it.each([
    [{ resultCacheTtlSeconds: 301, idempotencyWindowSeconds: 600 }, /at most 300 seconds/],
    [{ resultCacheTtlSeconds: 0, idempotencyWindowSeconds: 86_401 }, /at most 86400 seconds/],
    [{ resultCacheTtlSeconds: -1, idempotencyWindowSeconds: 600 }, /0 \(off\) or more/],
    [{ resultCacheTtlSeconds: 1.5, idempotencyWindowSeconds: 600 }, /whole number/],
    [{ resultCacheTtlSeconds: "ten", idempotencyWindowSeconds: 600 }, /whole number/],
    [{ resultCacheTtlSeconds: "10\u0000", idempotencyWindowSeconds: 600 }, /whole number/],
    [{ resultCacheTtlSeconds: "9".repeat(5000), idempotencyWindowSeconds: 600 }, /whole number/],
    [{ resultCacheTtlSeconds: true, idempotencyWindowSeconds: 600 }, /whole number/],
    [{ idempotencyWindowSeconds: 600 }, /whole number/],
    [{ resultCacheTtlSeconds: 10, idempotencyWindowSeconds: 600, classification: "public" }, /Unknown setting: classification/],
    ["30", /must be an object/],
  ])("refuses bad input %#", async (input, message) => {
    await expect(updateHostPatterns(owner, serverId, input)).rejects.toThrow(ValidationError);
    await expect(updateHostPatterns(owner, serverId, input)).rejects.toThrow(message);
    expect(await stored()).toEqual({ resultCacheTtlSeconds: 30, idempotencyWindowSeconds: 3600 });
  });

  it("answers not found for an entry that does not exist", async () => {
    await expect(updateHostPatterns(owner, crypto.randomUUID(), { resultCacheTtlSeconds: 1, idempotencyWindowSeconds: 1 })).rejects.toBeInstanceOf(NotFoundError);
  });
});

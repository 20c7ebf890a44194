import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { agentWithKey } from "@/test/registry";
import { wireGateway } from "@/lib/runtime/gateway-wiring";
import { agentForKey } from "./agent-cache";
import { clearResolutionCache } from "./invalidation";

wireGateway();

describe("the gateway's agent key cache", () => {
  it("answers from memory until keys or agents change, then asks the database again", async () => {
    const { key, keyId, agentId } = await agentWithKey("prod");
    expect((await agentForKey(key))?.agentId).toBe(agentId);
    await db().apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    // Without a change signal the cached identity still answers (the LISTEN connection delivers it in the app).
    expect((await agentForKey(key))?.agentId).toBe(agentId);
    clearResolutionCache();
    expect(await agentForKey(key)).toBeNull();
  });

  it("lets requests that miss together share one lookup", async () => {
    const { key, agentId } = await agentWithKey("prod");
    const identities = await Promise.all(Array.from({ length: 20 }, () => agentForKey(key)));
    // One database read gives one identity object; a read per request would give twenty.
    expect(new Set(identities).size).toBe(1);
    expect(identities[0]?.agentId).toBe(agentId);
  });

  it("does not keep an unknown key, nor a failed lookup", async () => {
    const { key, keyId } = await agentWithKey("prod");
    await db().apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
    expect(await agentForKey(key)).toBeNull();
    await db().apiKey.update({ where: { id: keyId }, data: { revokedAt: null } });
    expect(await agentForKey(key)).not.toBeNull();
  });

  it("never serves a key past its expiry", async () => {
    const { key } = await agentWithKey("prod", { expiresAt: new Date(Date.now() + 300) });
    expect(await agentForKey(key)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await agentForKey(key)).toBeNull();
  });
});

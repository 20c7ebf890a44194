import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/prisma";
import { clearKillSwitch, engageKillSwitch } from "@/lib/killswitch/switches";
import { activePolicySetRecord } from "@/lib/policy/policy-sets";
import { makeUser } from "@/test/factories";
import { agentWithKey, grant, registryServer } from "@/test/registry";
import { isResolutionListening, listenerApplicationName, startResolutionInvalidation } from "./invalidation";
import { namespacedToolName } from "./namespacing";
import { resolveAgentView } from "./resolution";

// The resolution cache against a real LISTEN/NOTIFY round trip. `other` is a separate connection,
// as another app instance would hold: what it changes must reach this instance's cache too.

const within = { timeout: 2_000, interval: 20 };

let stop: () => Promise<void>;
let other: pg.Client;
let agentId: string;
let server: { id: string; versionIds: string[] };
const watched = namespacedToolName("com.example/live", "watched")!;
const visible = async () => (await resolveAgentView(agentId)).tools.map((tool) => tool.exposedName);

async function listenerPids(): Promise<number[]> {
  const { rows } = await other.query<{ pid: number }>(
    "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database() AND query ILIKE 'LISTEN%'",
    [listenerApplicationName],
  );
  return rows.map((row) => row.pid);
}

beforeAll(async () => {
  ({ agentId } = await agentWithKey("dev"));
  server = await registryServer("com.example/live", [{ version: "1.0.0", status: "certified", tools: [{ name: "watched" }, { name: "other" }] }], { dev: "1.0.0" });
  await grant(agentId, server.id);
  // Set 1 is generated from the retired setting on the first read, which notifies like any change: before listening.
  await activePolicySetRecord();
  other = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await other.connect();
  stop = await startResolutionInvalidation();
});

afterAll(async () => {
  await stop();
  await other.end();
});

describe("resolution invalidation", () => {
  it("starts once: a second start shares the listener", async () => {
    expect(await startResolutionInvalidation()).toBe(stop);
    expect(isResolutionListening()).toBe(true);
    expect(await listenerPids()).toHaveLength(1);
  });

  it("keeps a view while nothing changes, and drops it when a kill switch is engaged through Prisma", async () => {
    const admin = await makeUser(["admin"]);
    const view = await resolveAgentView(agentId);
    expect(view.tools.map((tool) => tool.exposedName)).toContain(watched);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await resolveAgentView(agentId)).toBe(view);

    const engaged = await engageKillSwitch(admin, { scope: "tool", serverId: server.id, toolName: "watched", reason: "Stop watching" });
    await expect.poll(visible, within).not.toContain(watched);
    expect(await visible()).toContain(namespacedToolName("com.example/live", "other"));

    await clearKillSwitch(admin, { id: engaged.id, reason: "Fixed" });
    await expect.poll(visible, within).toContain(watched);
  });

  it("sees a change made on another connection, as another instance would make it", async () => {
    expect(await visible()).toContain(watched);
    await other.query("INSERT INTO kill_switches (scope, server_id, reason) VALUES ('server', $1, 'From instance B')", [server.id]);
    await expect.poll(visible, within).toEqual([]);

    await other.query("UPDATE kill_switches SET cleared_at = now() WHERE server_id = $1 AND cleared_at IS NULL", [server.id]);
    await expect.poll(visible, within).toContain(watched);
    await other.query("UPDATE grants SET status = 'revoked', revoked_at = now() WHERE agent_id = $1", [agentId]);
    await expect.poll(visible, within).toEqual([]);
    await other.query("UPDATE grants SET status = 'active', revoked_at = NULL WHERE agent_id = $1", [agentId]);
    await expect.poll(visible, within).toContain(watched);
  });

  it("sees the owner's gateway settings change (decision 035) through the servers trigger", async () => {
    const window = async () => (await resolveAgentView(agentId)).toolsByName.get(watched)?.idempotencyWindowSeconds;
    expect(await window()).toBe(600);
    await other.query("UPDATE servers SET idempotency_window_seconds = 60, result_cache_ttl_seconds = 30 WHERE id = $1", [server.id]);
    await expect.poll(window, within).toBe(60);
  });

  it("reconnects after the connection drops, dropping the cache it may have missed changes for", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const view = await resolveAgentView(agentId);
    const [before] = await listenerPids();
    await other.query("SELECT pg_terminate_backend($1)", [before]);
    await expect.poll(async () => isResolutionListening() && (await listenerPids()).some((pid) => pid !== before), { timeout: 5_000, interval: 20 }).toBe(true);
    expect(await resolveAgentView(agentId)).not.toBe(view);
    expect(logged).toHaveBeenCalledWith("[toolgate] database listener connection failed:", expect.stringContaining("terminating connection"));
    logged.mockRestore();

    await other.query("INSERT INTO drift_incidents (server_id, version_id, tool_name, pinned_hash, live_hash) VALUES ($1, $2, 'watched', 'a', 'b')", [
      server.id,
      server.versionIds[0],
    ]);
    await expect.poll(visible, within).not.toContain(watched);
    await other.query("UPDATE drift_incidents SET resolved_at = now() WHERE server_id = $1", [server.id]);
    await expect.poll(visible, within).toContain(watched);
  });

  it("ends a view when a grant it relies on expires, without any notification", async () => {
    await other.query("UPDATE grants SET expires_at = now() + interval '800 milliseconds' WHERE agent_id = $1", [agentId]);
    await expect.poll(visible, within).toContain(watched);
    await expect.poll(visible, within).toEqual([]);
    const { rows } = await other.query<{ active: boolean }>("SELECT expires_at > now() AS active FROM grants WHERE agent_id = $1", [agentId]);
    expect(rows).toEqual([{ active: false }]);
    await db().grant.updateMany({ where: { agentId }, data: { expiresAt: null } });
    await expect.poll(visible, within).toContain(watched);
  });

  it("stops listening when stopped", async () => {
    await stop();
    expect(isResolutionListening()).toBe(false);
    await expect.poll(listenerPids, within).toEqual([]);
    stop = await startResolutionInvalidation();
    expect(isResolutionListening()).toBe(true);
  });
});

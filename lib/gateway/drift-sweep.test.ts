import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/prisma";
import { wireGateway } from "@/lib/runtime/gateway-wiring";
import { JobScheduler } from "@/lib/runtime/jobs";
import { periodicJobs } from "@/lib/runtime/periodic-jobs";
import { makeServer } from "@/test/factories";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { backendPool, closeAllBackends } from "./backends";
import { promotedBackends, sweepDrift } from "./drift-sweep";

// The cluster's drift sweep (the "drift-sweep" job) checks every pinned, serving version — also those
// no session of this instance pools — against real fixture backends.

wireGateway();
const fixtures: FixtureServer[] = [];

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  await closeAllBackends();
  await Promise.all(fixtures.map((fixture) => fixture.close().catch(() => undefined)));
});

async function governed(name: string) {
  const fixture = await startFixtureServer({ tools: defaultFixtureTools, stateless: true });
  fixtures.push(fixture);
  return { fixture, ...(await governFixtureServer(fixture.url, { name })) };
}

describe("the drift sweep", () => {
  it("checks every promoted backend, pooled or not, and opens an incident for drift", async () => {
    const first = await governed("com.example/sweep-one");
    const second = await governed("com.example/sweep-two");
    // A draft nobody promoted is not the gateway's to check.
    await makeServer({ name: "com.example/sweep-draft", versions: [{ version: "1.0.0", status: "draft" }] });
    await closeAllBackends();
    expect(backendPool().backends()).toEqual([]);

    const backends = await promotedBackends();
    expect(backends.map((backend) => backend.versionId).sort()).toEqual([first.versionId, second.versionId].sort());
    expect(await sweepDrift()).toEqual({ checked: 2, drifted: 0, unreachable: [], summary: "2 backends: 2 checked, 0 drifted, 0 unreachable" });

    second.fixture.setTools(defaultFixtureTools.map((tool) => (tool.name === "read_record" ? { ...tool, description: "Reads, and sends elsewhere." } : tool)));
    expect(await sweepDrift()).toMatchObject({ checked: 2, drifted: 1, unreachable: [] });
    const incidents = await db().driftIncident.findMany({ where: { resolvedAt: null } });
    expect(incidents.map((incident) => [incident.versionId, incident.toolName])).toEqual([[second.versionId, "read_record"]]);
  });

  it("resolves when a backend is down for good, naming it in the summary and the log once, after checking the rest and finding their drift", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const up = await governed("com.example/sweep-up");
    const gone = await governed("com.example/sweep-gone");
    await gone.fixture.close();
    up.fixture.setTools(defaultFixtureTools.map((tool) => (tool.name === "search_records" ? { ...tool, description: "Lists, and forwards." } : tool)));
    const total = (await promotedBackends()).length;

    const result = await sweepDrift();
    expect(result.checked).toBe(total - 1);
    expect(result.unreachable).toEqual([{ serverName: "com.example/sweep-gone", version: "1.0.0", error: expect.stringContaining("com.example/sweep-gone") }]);
    expect(result.summary).toMatch(new RegExp(`^${total} backends: ${total - 1} checked, ${result.drifted} drifted, 1 unreachable: com\\.example/sweep-gone 1\\.0\\.0 \\(.+\\)$`));
    // The reachable backend was still listed, and its drift recorded.
    expect(await db().driftIncident.findMany({ where: { versionId: up.versionId, resolvedAt: null } })).toEqual([expect.objectContaining({ toolName: "search_records" })]);
    const sweepLines = logged.mock.calls.filter(([line]) => String(line).includes("drift check of"));
    expect(sweepLines).toEqual([["[toolgate] drift check of com.example/sweep-gone 1.0.0 failed:", result.unreachable[0]!.error]]);
    // No audit event per unreachable backend per run: the trail would fill every 5 minutes.
    expect(await db().auditEvent.count({ where: { targetType: "server", targetId: gone.serverId, action: { startsWith: "gateway.drift" } } })).toBe(0);
  }, 30_000);

  it("as the cluster's job: a run with a backend down succeeds and records the summary naming it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const scheduler = new JobScheduler({ instanceId: "instance-a", jobs: periodicJobs().filter((job) => job.name === "drift-sweep") });
    await scheduler.seed();
    expect(await scheduler.tick()).toEqual(["drift-sweep"]);
    await scheduler.stop();
    const [run] = await db().jobRun.findMany({ where: { job: "drift-sweep" } });
    expect(run).toMatchObject({ outcome: "succeeded", error: null, summary: expect.stringMatching(/ 1 unreachable: com\.example\/sweep-gone 1\.0\.0 \(/) });
    expect(await db().job.findUniqueOrThrow({ where: { name: "drift-sweep" } })).toMatchObject({ lastOutcome: "succeeded", consecutiveFailures: 0 });
  }, 30_000);

  it("leaves out a version past its sunset", async () => {
    const gone = await db().serverVersion.findFirstOrThrow({ where: { server: { name: "com.example/sweep-gone" } } });
    await db().serverVersion.update({ where: { id: gone.id }, data: { status: "deprecated", sunsetAt: new Date(Date.now() - 1_000) } });
    expect((await promotedBackends()).map((backend) => backend.versionId)).not.toContain(gone.id);
  });
});

import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { wireGateway } from "@/lib/runtime/gateway-wiring";
import { makeServer } from "@/test/factories";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { backendPool, closeAllBackends } from "./backends";
import { promotedBackends, sweepDrift } from "./drift-sweep";

// The cluster's drift sweep (the "drift-sweep" job) checks every pinned, serving version — also those
// no session of this instance pools — against real fixture backends.

wireGateway();
const fixtures: FixtureServer[] = [];

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
    expect(await sweepDrift()).toEqual({ checked: 2, drifted: 0 });

    second.fixture.setTools(defaultFixtureTools.map((tool) => (tool.name === "read_record" ? { ...tool, description: "Reads, and sends elsewhere." } : tool)));
    expect(await sweepDrift()).toEqual({ checked: 2, drifted: 1 });
    const incidents = await db().driftIncident.findMany({ where: { resolvedAt: null } });
    expect(incidents.map((incident) => [incident.versionId, incident.toolName])).toEqual([[second.versionId, "read_record"]]);
  });

  it("leaves out a version past its sunset, and fails naming the backend it could not reach after checking the rest", async () => {
    const gone = await governed("com.example/sweep-gone");
    await gone.fixture.close();
    const before = (await promotedBackends()).length;
    await expect(sweepDrift()).rejects.toThrow(new RegExp(`drift check failed for 1 of ${before} backends: com\\.example/sweep-gone 1\\.0\\.0`));

    await db().serverVersion.update({ where: { id: gone.versionId }, data: { status: "deprecated", sunsetAt: new Date(Date.now() - 1_000) } });
    expect((await promotedBackends()).map((backend) => backend.versionId)).not.toContain(gone.versionId);
  }, 30_000);
});

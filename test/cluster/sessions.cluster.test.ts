// Issue 20, cluster tests a and b: three instances of the production build behind HAProxy (round-robin, no
// stickiness). Hosts of both eras keep working whichever instance answers, and when one instance is killed
// (kill -9) under load; every call that reached the backend is in the audit trail once the killed instance is
// back on its data folder (its journal replays: docs/decisions/016).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { argumentsHash } from "@/lib/gateway/audit-queue";
import { namespacedToolName } from "@/lib/gateway/namespacing";
import { defaultFixtureTools, type FixtureServer } from "@/test/mcp-fixture-server";
import { callTool, type CallOutcome, connectTagged, echoed, type Era, eras, sleep } from "./calls";
import { type GovernedCluster, startGovernedCluster } from "./governed-cluster";
import type { Cluster } from "./harness/cluster";

const serverName = "io.cluster/records";
const readRecord = namespacedToolName(serverName, "read_record")!;

let setup: GovernedCluster | undefined;
let cluster: Cluster;
let fixture: FixtureServer;
let key: string;
let agentId: string;

beforeAll(async () => {
  setup = await startGovernedCluster(serverName, { tools: defaultFixtureTools });
  ({ cluster, fixture, key, agentId } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

describe.each(eras)("a %s host through HAProxy (round-robin, no stickiness)", (era: Era) => {
  it("keeps working over many requests answered by every instance in turn", async () => {
    const { client, tag } = await connectTagged(era, cluster.url, key, `spread-${era}`);
    try {
      for (let n = 0; n < 12; n++) {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toContain(readRecord);
        const id = `spread-${era}-${n}`;
        const outcome = await callTool(client, readRecord, { id });
        expect(echoed(outcome, id), JSON.stringify(outcome)).toBe(true);
      }
    } finally {
      await client.close();
    }
    // HAProxy's log names the instance that answered each of this host's requests.
    expect(new Set(cluster.haproxy.serversOf(tag, "POST"))).toEqual(new Set(cluster.instances.map((instance) => instance.id)));
  });

  it("continues after kill -9 of the instance that served its first request (initialize)", async () => {
    const { client, tag } = await connectTagged(era, cluster.url, key, `survivor-${era}`);
    try {
      expect(echoed(await callTool(client, readRecord, { id: `before-kill-${era}` }), `before-kill-${era}`)).toBe(true);
      const first = cluster.instance(cluster.haproxy.serversOf(tag, "POST")[0]!);
      await first.kill();
      for (let n = 0; n < 6; n++) {
        const id = `after-kill-${era}-${n}`;
        const outcome = await callTool(client, readRecord, { id });
        expect(echoed(outcome, id), JSON.stringify(outcome)).toBe(true);
      }
      // The last six calls (a notification stream cut by the kill is logged too, as a GET).
      const servedAfter = cluster.haproxy.serversOf(tag, "POST").slice(-6);
      expect(servedAfter).not.toContain(first.id);
      await first.start();
      await cluster.haproxy.waitUntilServing(first.id);
    } finally {
      await client.close();
    }
  });
});

describe("kill -9 of one instance under load", () => {
  const clients = 8;
  const loadMs = 5_000;
  const killAtMs = 1_500;
  const callTimeoutMs = 10_000;

  it("clients continue; at most the calls in flight fail, each with a clear error, none hangs; every call that reached the backend is audited once the instance is back", async () => {
    const victim = cluster.instances[1]!;
    // The backend takes a while over each call, so calls are at the backend through the victim when it dies.
    fixture.setResponder(async () => {
      await sleep(40 + Math.random() * 80);
      return undefined;
    });
    const hosts = await Promise.all(Array.from({ length: clients }, (_, n) => connectTagged(eras[n % 2]!, cluster.url, key, `load-${n}`)));
    // Warm: every instance has opened its backend session for the agent, so calls flow when the kill comes.
    for (const [host, { client }] of hosts.entries()) for (let n = 0; n < 3; n++) await callTool(client, readRecord, { id: `warm-${host}-${n}` });
    const outcomes: { host: number; id: string; at: number; outcome: CallOutcome }[] = [];
    const started = performance.now();
    let killedAt = Infinity;
    const killer = sleep(killAtMs).then(async () => {
      await victim.kill();
      killedAt = performance.now() - started;
    });
    await Promise.all(
      hosts.map(async ({ client }, host) => {
        for (let n = 0; performance.now() - started < loadMs; n++) {
          const id = `load-${host}-${n}`;
          const outcome = await callTool(client, readRecord, { id }, callTimeoutMs);
          outcomes.push({ host, id, at: performance.now() - started, outcome });
        }
      }),
    );
    await killer;
    fixture.setResponder(undefined);
    await Promise.all(hosts.map(({ client }) => client.close().catch(() => undefined)));

    const failed = outcomes.filter(({ outcome }) => outcome.kind === "error");
    const failures = failed.map(({ id, outcome }) => `${id}: ${outcome.kind === "error" ? outcome.message : ""}`).join("\n");
    // Each host has one call in flight at a time: at most one failure per host, at the kill.
    expect(failed.length, failures).toBeLessThanOrEqual(clients);
    for (const { outcome } of failed) {
      expect(outcome.ms, failures).toBeLessThan(callTimeoutMs);
      expect(outcome.kind === "error" && outcome.message.trim().length > 0).toBe(true);
    }
    // Every host went on calling after the kill, with answers.
    for (let host = 0; host < clients; host++) {
      const after = outcomes.filter((entry) => entry.host === host && entry.at > killedAt + 500);
      expect(after.length, `host ${host} made no call after the kill`).toBeGreaterThan(0);
      expect(after.every(({ id, outcome }) => echoed(outcome, id)), `host ${host} failed after the kill:\n${failures}`).toBe(true);
    }

    // The killed instance comes back on the same data folder; its journal replays what it had forwarded.
    await victim.start();
    const reached = [...new Set(fixture.received.flatMap((request) => (request.toolCall?.name === "read_record" && /^load-/.test(String((request.toolCall.arguments as { id?: unknown }).id)) ? [JSON.stringify(request.toolCall.arguments)] : [])))];
    expect(reached.length).toBeGreaterThan(clients);
    const missing = async () => {
      const rows = await db().auditEvent.findMany({ where: { actorId: agentId, action: "gateway.tools/call" }, select: { details: true } });
      const audited = new Set(rows.map((row) => (row.details as { argumentsHash?: string }).argumentsHash));
      return reached.filter((args) => !audited.has(argumentsHash(JSON.parse(args))));
    };
    await expect.poll(missing, { timeout: 20_000, interval: 500 }).toEqual([]);
    await cluster.haproxy.waitUntilServing(victim.id);
  }, 90_000);
});

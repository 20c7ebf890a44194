// Issue 20, cluster tests c to f: what governs calls holds for the whole cluster, not per instance. A rate
// limit of N/s holds within 10 % through HAProxy; a kill switch engaged on A stops calls on B and C within a
// second; an approval decided on A releases the call waiting on C; a periodic job runs once per period, not
// once per instance.
import type { Browser } from "@playwright/test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { namespacedToolName } from "@/lib/gateway/namespacing";
import { makeUser } from "@/test/factories";
import { type GovernedServer, governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { certifiedAgentKeys } from "@/scripts/bench/setup";
import { actionAnswered, launchBrowser, signedIn } from "./browser";
import { callTool, type CallOutcome, connectTagged, echoed, sleep } from "./calls";
import { type Cluster, startCluster } from "./harness/cluster";

const ratePerSecond = 30;
const jobPeriodMs = 2_000;

let cluster: Cluster;
let fixture: FixtureServer;
let browser: Browser;

beforeAll(async () => {
  cluster = await startCluster({
    env: {
      TOOLGATE_RATE_AGENT_PER_SECOND: String(ratePerSecond),
      TOOLGATE_RATE_TOOL_PER_SECOND: "100000",
      TOOLGATE_QUOTA_AGENT_PER_DAY: "100000000",
      TOOLGATE_JOB_PERIOD_MS: String(jobPeriodMs),
    },
  });
  fixture = await startFixtureServer({ tools: defaultFixtureTools });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await cluster?.stop();
});

describe("a cluster-wide rate limit", () => {
  const clients = 8;
  // Measured from the first whole second after the first refusal: before the limit bites, the instances are
  // still warming up (the agent's first calls resolve it on each), and a window's points spent slowly spill into
  // the next second, so a second would count one window and part of another. Then four whole seconds.
  const measuredSeconds = 4;
  const maxRunMs = 20_000;

  it(`of ${ratePerSecond} calls/s per agent holds within 10 % over seconds of over-demand through HAProxy, refusals saying why`, async () => {
    const name = "io.cluster/limited";
    const { key } = await governFixtureServer(fixture.url, { name });
    const tool = namespacedToolName(name, "read_record")!;
    // 2026-era hosts: sessionless, so this test needs nothing of the 2025-era sessions' sharing.
    const hosts = await Promise.all(Array.from({ length: clients }, (_, n) => connectTagged("2026-07-28", cluster.url, key, `limited-${n}`)));
    const calls: { sentAt: number; outcome: CallOutcome; id: string }[] = [];
    const started = performance.now();
    let from = Infinity;
    await Promise.all(
      hosts.map(async ({ client }, host) => {
        for (let n = 0; performance.now() - started < Math.min(maxRunMs, (from + measuredSeconds) * 1000 + 200); n++) {
          const id = `limited-${host}-${n}`;
          const sentAt = performance.now() - started;
          const outcome = await callTool(client, tool, { id });
          calls.push({ sentAt, outcome, id });
          if (outcome.kind === "error" && from === Infinity) from = Math.ceil(sentAt / 1000) + 1;
        }
      }),
    );
    await Promise.all(hosts.map(({ client }) => client.close()));
    expect(from, "no call was refused: the limit never bit").toBeLessThan(Infinity);

    // Four whole seconds: each holds one start of the limiter's window, whatever its alignment.
    const window = calls.filter(({ sentAt }) => sentAt >= from * 1000 && sentAt < (from + measuredSeconds) * 1000);
    const perSecond = [from, from + 1, from + 2, from + 3].map((second) => window.filter(({ sentAt, outcome, id }) => sentAt >= second * 1000 && sentAt < (second + 1) * 1000 && echoed(outcome, id)).length);
    const allowed = window.filter(({ outcome, id }) => echoed(outcome, id)).length;
    const refusals = window.filter(({ outcome }) => outcome.kind === "error");
    const kinds = new Map<string, number>();
    for (const { outcome } of refusals) {
      const kind = outcome.kind === "error" ? outcome.message.replace(/\d+m?s\b/g, "…").slice(0, 120) : "";
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    const summary = `allowed per second ${perSecond.join(", ")}; ${window.length} calls in 4 s; errors: ${JSON.stringify([...kinds])}`;
    // Over-demand: far more calls than the limit, or the test proves nothing.
    expect(window.length, summary).toBeGreaterThan(4 * ratePerSecond * 2);
    expect(allowed, summary).toBeGreaterThanOrEqual(Math.floor(4 * ratePerSecond * 0.9));
    expect(allowed, summary).toBeLessThanOrEqual(Math.ceil(4 * ratePerSecond * 1.1));
    for (const refusal of refusals) expect(refusal.outcome.kind === "error" && refusal.outcome.message).toMatch(/rate limit: at most 30 calls per second for this agent/);
  }, 60_000);
});

describe("through instance A, as people act", () => {
  // Certified through the lifecycle (a signed manifest: the entry's page shows it), two agents granted.
  let killable: { serverId: string; keys: string[]; tool: string };
  let gated: GovernedServer;

  beforeAll(async () => {
    const certified = await certifiedAgentKeys(fixture.url, { header: "X-Unused", value: "unused" }, { agents: 2 });
    const { id: serverId } = await db().server.findFirstOrThrow({ where: { name: certified.serverName }, select: { id: true } });
    killable = { serverId, keys: certified.keys, tool: certified.tool };
    gated = await governFixtureServer(fixture.url, { name: "io.cluster/gated", riskTier: "high", approvalTools: ["delete_record"] });
    await db().setting.upsert({ where: { key: "approvals.waitSeconds" }, create: { key: "approvals.waitSeconds", value: 60 }, update: { value: 60 } });
  });

  it("a kill switch engaged on A refuses calls on B and C within one second of A's answer", async () => {
    const [a, b, c] = cluster.instances as [Cluster["instances"][number], Cluster["instances"][number], Cluster["instances"][number]];
    const { tool } = killable;
    // One agent per instance, each calling well under the rate limit, one host of each era.
    const callers = [
      { instance: b, ...(await connectTagged("2026-07-28", b.url, killable.keys[0]!, "kill-b")) },
      { instance: c, ...(await connectTagged("2025-11-25", c.url, killable.keys[1]!, "kill-c")) },
    ];
    let engagedAt = Infinity;
    const firstRefusal = new Map<string, { at: number; message: string }>();
    let stop = false;
    const loops = callers.map(async ({ instance, client }) => {
      for (let n = 0; !stop; n++) {
        const outcome = await callTool(client, tool, { id: `kill-${instance.id}-${n}` });
        const at = performance.now();
        if (outcome.kind === "error" && /kill switch/.test(outcome.message) && !firstRefusal.has(instance.id)) firstRefusal.set(instance.id, { at, message: outcome.message });
        // Refused before the switch was engaged would be a failure of its own.
        if (outcome.kind === "error" && at < engagedAt) throw new Error(`${instance.id} refused before the switch: ${outcome.message}`);
        await sleep(40);
      }
    });
    try {
      await sleep(500);
      const page = await signedIn(browser, a.origin, cluster.admin);
      await page.goto(`/catalog/${killable.serverId}`);
      await page.getByRole("navigation", { name: "Entry sections" }).getByRole("link", { name: "Review & promotion" }).click();
      const engage = page.getByRole("region", { name: "Kill switches" }).getByRole("form", { name: "Engage kill switch" });
      await engage.getByLabel("This server, every version").check();
      await engage.getByLabel("Reason for stopping").fill("Cluster test: stop it everywhere.");
      engagedAt = await actionAnswered(page, a.origin, () => engage.getByRole("button", { name: "Stop" }).click());
      await expect.poll(() => firstRefusal.size, { timeout: 5_000, interval: 20 }).toBe(2);
    } finally {
      stop = true;
      await Promise.allSettled(loops);
      await Promise.all(callers.map(({ client }) => client.close()));
    }
    for (const { instance } of callers) {
      const refusal = firstRefusal.get(instance.id)!;
      expect(refusal.message).toContain("Cluster test: stop it everywhere.");
      expect(refusal.at - engagedAt, `${instance.id}: first refusal ${Math.round(refusal.at - engagedAt)} ms after A's answer`).toBeLessThan(1_000);
    }
  }, 90_000);

  it("an approval decided on A releases the call waiting on C, which returns the tool's result", async () => {
    const [a, , c] = cluster.instances;
    const tool = namespacedToolName("io.cluster/gated", "delete_record")!;
    const approver = await makeUser(["approver"]);
    const { client } = await connectTagged("2025-11-25", c!.url, gated.key, "approval-c");
    try {
      const id = "approved-on-a";
      const call = callTool(client, tool, { id }, 90_000);
      await expect.poll(() => db().toolCallApproval.count({ where: { agentId: gated.agentId, status: "pending" } }), { timeout: 15_000 }).toBe(1);
      const page = await signedIn(browser, a!.origin, approver);
      await page.goto("/approvals");
      const waiting = page.getByTestId("tool-call-request").filter({ hasText: "delete_record" });
      await waiting.getByLabel("Reason").fill("Cluster test: decided on A.");
      const decidedAt = await actionAnswered(page, a!.origin, () => waiting.getByRole("button", { name: "Approve" }).click());
      const outcome = await call;
      expect(outcome.kind, JSON.stringify(outcome)).toBe("result");
      expect(outcome.kind === "result" && outcome.text).toContain(id);
      expect(fixture.received.some((request) => request.toolCall?.name === "delete_record" && (request.toolCall.arguments as { id?: string }).id === id)).toBe(true);
      // Woken by the decision (LISTEN/NOTIFY), not by a slow safety-net poll.
      expect(performance.now() - decidedAt).toBeLessThan(2_000);
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe("periodic jobs", () => {
  it(`run once per period across the cluster: with TOOLGATE_JOB_PERIOD_MS=${jobPeriodMs} on every instance, about 5 runs per job in 10 s, not 15`, async () => {
    const query = db().$queryRawUnsafe.bind(db());
    await expect.poll(async () => Number(((await query("SELECT count(*) AS n FROM job_runs")) as { n: bigint }[])[0]!.n), { timeout: 15_000 }).toBeGreaterThan(0);
    const { t0 } = ((await query("SELECT now() AS t0")) as { t0: Date }[])[0]!;
    await sleep(10_000);
    const jobs = (await query("SELECT name FROM jobs ORDER BY name")) as { name: string }[];
    const runs = (await query("SELECT job, count(*) AS n, count(DISTINCT instance) AS instances FROM job_runs WHERE started_at >= $1 AND started_at < $1 + interval '10 seconds' GROUP BY job", t0)) as { job: string; n: bigint; instances: bigint }[];
    const counts = Object.fromEntries(runs.map((run) => [run.job, Number(run.n)]));
    expect(jobs.length).toBeGreaterThan(0);
    for (const { name } of jobs) {
      expect(counts[name] ?? 0, `runs in 10 s: ${JSON.stringify(counts)}`).toBeGreaterThanOrEqual(3);
      expect(counts[name] ?? 0, `runs in 10 s: ${JSON.stringify(counts)}`).toBeLessThanOrEqual(7);
    }
  }, 60_000);
});

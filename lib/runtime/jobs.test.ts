import { afterEach, describe, expect, it, vi } from "vitest";
import { readEnv } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";
import { defineJob, JobScheduler, listJobs, periodOf, summaryMaxChars, summaryOf } from "./jobs";

// The scheduler against a real database: two schedulers with two instance ids stand for two instances.

const schedulers: JobScheduler[] = [];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function scheduler(instanceId: string, jobs: ReturnType<typeof defineJob>[], options: { tickMs?: number; retryBaseMs?: number } = {}) {
  const created = new JobScheduler({ instanceId, jobs, tickMs: options.tickMs ?? 40, retryBaseMs: options.retryBaseMs });
  schedulers.push(created);
  return created;
}

const runsOf = (job: string) => db().jobRun.findMany({ where: { job }, orderBy: { startedAt: "asc" } });

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  delete process.env.TOOLGATE_JOB_PERIOD_MS;
  vi.restoreAllMocks();
});

describe("jobs once per cluster", () => {
  it("two instances run a job once per period, not twice", async () => {
    let runs = 0;
    const job = defineJob({ name: "count-once", periodMs: 500, run: async () => void runs++ });
    const a = scheduler("instance-a", [job]);
    const b = scheduler("instance-b", [job]);
    await Promise.all([a.start(), b.start()]);
    await sleep(2_250);
    await Promise.all([a.stop(), b.stop()]);
    const recorded = await runsOf("count-once");
    // At 0, 0.5, 1, 1.5 and 2 s: five periods, five runs (one tick of slack either way).
    expect(recorded.length).toBeGreaterThanOrEqual(4);
    expect(recorded.length).toBeLessThanOrEqual(5);
    expect(runs).toBe(recorded.length);
    for (let i = 1; i < recorded.length; i++) expect(recorded[i]!.startedAt.getTime() - recorded[i - 1]!.startedAt.getTime()).toBeGreaterThanOrEqual(500);
    expect(recorded.every((run) => run.outcome === "succeeded" && run.attempt === 1 && run.finishedAt !== null)).toBe(true);
    expect(new Set(recorded.map((run) => run.instance)).size).toBeGreaterThanOrEqual(1);
    const [view] = (await listJobs()).filter((j) => j.name === "count-once");
    expect(view).toMatchObject({ periodMs: 500, runningBy: null, lastOutcome: "succeeded", consecutiveFailures: 0, failing: false });
  });

  it("claims a due job exactly once when both instances tick at the same moment", async () => {
    const job = defineJob({ name: "race", periodMs: 60_000, run: async () => sleep(50) });
    const a = scheduler("instance-a", [job]);
    const b = scheduler("instance-b", [job]);
    await a.seed();
    const ran = await Promise.all([a.tick(), b.tick(), a.tick(), b.tick()]);
    expect(ran.flat()).toEqual(["race"]);
    expect(await runsOf("race")).toHaveLength(1);
  });

  it("retries a failing job with exponential backoff, records each error, and says loudly when it keeps failing", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    let attempts = 0;
    const job = defineJob({
      name: "always-fails",
      periodMs: 60_000,
      run: async () => {
        attempts++;
        throw new Error(`backend unreachable (${attempts})`);
      },
    });
    const a = scheduler("instance-a", [job], { tickMs: 20, retryBaseMs: 100 });
    await a.start();
    // Attempts at 0, 0.1, 0.3, 0.7 and 1.5 s.
    await sleep(1_200);
    await a.stop();
    const recorded = await runsOf("always-fails");
    expect(recorded.map((run) => run.attempt)).toEqual([1, 2, 3, 4]);
    expect(recorded.every((run) => run.outcome === "failed")).toBe(true);
    expect(recorded[3]!.error).toBe("backend unreachable (4)");
    expect(recorded.every((run) => run.summary === null)).toBe(true);
    const gaps = recorded.slice(1).map((run, i) => run.startedAt.getTime() - recorded[i]!.startedAt.getTime());
    expect(gaps[0]).toBeGreaterThanOrEqual(100);
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[2]).toBeGreaterThanOrEqual(400);
    const [view] = (await listJobs()).filter((j) => j.name === "always-fails");
    expect(view).toMatchObject({ lastOutcome: "failed", lastError: "backend unreachable (4)", consecutiveFailures: 4, failing: true, lastInstance: "instance-a" });
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/JOB FAILING: always-fails failed 3 times in a row; last error: backend unreachable \(3\)/));
  });

  it("caps the backoff at the period, and a success clears the failures", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    let attempts = 0;
    const job = defineJob({
      name: "fails-twice",
      periodMs: 300,
      run: async () => {
        if (++attempts <= 2) throw new Error("not yet");
      },
    });
    const a = scheduler("instance-a", [job], { tickMs: 20, retryBaseMs: 1_000 });
    await a.start();
    await sleep(900);
    await a.stop();
    const recorded = await runsOf("fails-twice");
    expect(recorded.slice(0, 3).map((run) => [run.outcome, run.attempt])).toEqual([
      ["failed", 1],
      ["failed", 2],
      ["succeeded", 3],
    ]);
    // A backoff of 1 s would have allowed one run only: capped at the 300 ms period.
    expect(recorded[1]!.startedAt.getTime() - recorded[0]!.startedAt.getTime()).toBeLessThan(500);
    expect((await db().job.findUniqueOrThrow({ where: { name: "fails-twice" } })).consecutiveFailures).toBe(0);
  });

  it("lets another instance take over when the claimant dies: its lease expires", async () => {
    let release!: () => void;
    const hung = new Promise<void>((resolve) => (release = resolve));
    const dying = scheduler("instance-dead", [defineJob({ name: "takeover", periodMs: 60_000, leaseMs: 400, run: () => hung })]);
    await dying.seed();
    const claimedByDead = dying.tick();
    await expect.poll(async () => (await runsOf("takeover")).length).toBe(1);

    let ranOnB = 0;
    const b = scheduler("instance-b", [defineJob({ name: "takeover", periodMs: 60_000, leaseMs: 400, run: async () => void ranOnB++ })], { tickMs: 20 });
    await b.start();
    await sleep(200);
    expect(ranOnB).toBe(0);
    await expect.poll(() => ranOnB, { timeout: 2_000 }).toBe(1);
    await b.stop();

    const [dead, taken] = await runsOf("takeover");
    expect(dead).toMatchObject({ instance: "instance-dead", outcome: "failed", error: expect.stringContaining("lease expired") });
    expect(taken).toMatchObject({ instance: "instance-b", outcome: "succeeded" });
    // The dead claimant coming back late changes nothing the new claimant recorded.
    release();
    await claimedByDead;
    expect((await runsOf("takeover"))[0]!.outcome).toBe("failed");
    const job = await db().job.findUniqueOrThrow({ where: { name: "takeover" } });
    expect(job).toMatchObject({ runningBy: null, lastOutcome: "succeeded" });
    expect(job.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
  });

  it("keeps a late finisher from undoing the next claim, even under the same instance id (two processes of one pod)", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    let fail!: (error: Error) => void;
    const hung = new Promise<void>((_, reject) => (fail = reject));
    const first = scheduler("pod-0", [defineJob({ name: "same-id", periodMs: 60_000, leaseMs: 300, run: () => hung })]);
    await first.seed();
    const late = first.tick();
    await expect.poll(async () => (await runsOf("same-id")).length).toBe(1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const second = scheduler("pod-0", [defineJob({ name: "same-id", periodMs: 60_000, leaseMs: 60_000, run: () => gate })], { tickMs: 20 });
    await second.start();
    await expect.poll(async () => (await runsOf("same-id")).length, { timeout: 2_000 }).toBe(2);
    // The first claimant comes back while the second still runs: it must not free or fail the second's claim.
    fail(new Error("finished late"));
    await late;
    expect(await db().job.findUniqueOrThrow({ where: { name: "same-id" } })).toMatchObject({ runningBy: "pod-0", lastOutcome: null, consecutiveFailures: 0 });
    release();
    await second.stop();
    expect(await db().job.findUniqueOrThrow({ where: { name: "same-id" } })).toMatchObject({ runningBy: null, lastOutcome: "succeeded", consecutiveFailures: 0 });
  });

  it("keeps claiming other jobs while a slow one runs on the same instance", async () => {
    let fast = 0;
    const slow = defineJob({ name: "slow-sweep", periodMs: 60_000, run: () => sleep(800) });
    const quick = defineJob({ name: "quick", periodMs: 100, run: async () => void fast++ });
    const a = scheduler("instance-a", [slow, quick], { tickMs: 20 });
    await a.start();
    await sleep(600);
    expect(await runsOf("slow-sweep")).toMatchObject([{ outcome: "running" }]);
    expect(fast).toBeGreaterThanOrEqual(3);
    await a.stop();
    expect(await runsOf("slow-sweep")).toMatchObject([{ outcome: "succeeded" }]);
  });

  it("stops ticking when stopped, and waits for a run under way to finish", async () => {
    let finished = false;
    const job = defineJob({
      name: "slow",
      periodMs: 100,
      run: async () => {
        await sleep(200);
        finished = true;
      },
    });
    const a = scheduler("instance-a", [job], { tickMs: 20 });
    await a.start();
    await expect.poll(async () => (await runsOf("slow")).length).toBe(1);
    await a.stop();
    expect(finished).toBe(true);
    await sleep(300);
    expect(await runsOf("slow")).toHaveLength(1);
  });
});

describe("a run's summary", () => {
  it("stores the summary a run resolves to, cut to 500 characters, and lists the latest finished run's", async () => {
    let finding = "3 checked, 0 drifted, 1 unreachable: io.acme/crm 1.2.0 (connect ECONNREFUSED)";
    const job = defineJob({ name: "finds-things", periodMs: 60_000, run: async () => ({ checked: 3, summary: finding }) });
    const a = scheduler("instance-a", [job]);
    await a.seed();
    await a.tick();
    expect(await runsOf("finds-things")).toMatchObject([{ outcome: "succeeded", error: null, summary: finding }]);
    expect((await listJobs()).find((j) => j.name === "finds-things")).toMatchObject({ lastOutcome: "succeeded", lastSummary: finding });

    finding = `${"x".repeat(summaryMaxChars)} and more`;
    await db().job.update({ where: { name: "finds-things" }, data: { nextRunAt: new Date(0) } });
    await a.tick();
    const latest = (await runsOf("finds-things"))[1]!.summary!;
    expect(latest).toHaveLength(summaryMaxChars);
    expect(latest).toBe(`${"x".repeat(summaryMaxChars - 1)}…`);
    expect((await listJobs()).find((j) => j.name === "finds-things")?.lastSummary).toBe(latest);
  });

  it("keeps the last finished run's summary on show while the next one runs, and shows none after a failure", async () => {
    let release: (() => void) | undefined;
    let step = 0;
    const job = defineJob({
      name: "sometimes-hangs",
      periodMs: 60_000,
      run: async () => {
        step++;
        if (step === 2) await new Promise<void>((resolve) => (release = resolve));
        if (step === 3) throw new Error("the sweep could not list its backends");
        return { summary: `run ${step}` };
      },
    });
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const a = scheduler("instance-a", [job]);
    await a.seed();
    await a.tick();
    await db().job.update({ where: { name: "sometimes-hangs" }, data: { nextRunAt: new Date(0) } });
    const second = a.tick();
    await expect.poll(() => release).toBeDefined();
    try {
      expect((await listJobs()).find((j) => j.name === "sometimes-hangs")).toMatchObject({ runningBy: "instance-a", lastSummary: "run 1" });
    } finally {
      release!();
      await second;
    }
    expect((await listJobs()).find((j) => j.name === "sometimes-hangs")?.lastSummary).toBe("run 2");
    await db().job.update({ where: { name: "sometimes-hangs" }, data: { nextRunAt: new Date(0) } });
    await a.tick();
    expect((await listJobs()).find((j) => j.name === "sometimes-hangs")).toMatchObject({ lastOutcome: "failed", lastError: "the sweep could not list its backends", lastSummary: null });
  });

  it("leaves jobs that return something else as they were: nothing stored", async () => {
    const returns = [42, "a bare string", undefined, null, { deleted: 3 }, { summary: 7 }, { summary: "   " }];
    let i = 0;
    const job = defineJob({ name: "returns-other", periodMs: 60_000, run: async () => returns[i++] });
    const a = scheduler("instance-a", [job]);
    await a.seed();
    for (let n = 0; n < returns.length; n++) {
      await db().job.update({ where: { name: "returns-other" }, data: { nextRunAt: new Date(0) } });
      await a.tick();
    }
    const recorded = await runsOf("returns-other");
    expect(recorded.map((run) => [run.outcome, run.summary])).toEqual(returns.map(() => ["succeeded", null]));
  });

  it.each([
    [{ summary: " two lines\nkept " }, "two lines\nkept"],
    [{ summary: "" }, null],
    [["summary"], null],
    [{ summary: ["not", "a", "string"] }, null],
  ])("reads %j as %j", (result, summary) => {
    expect(summaryOf(result)).toBe(summary);
  });
});

describe("TOOLGATE_JOB_PERIOD_MS", () => {
  it("overrides every job's period", async () => {
    process.env.TOOLGATE_JOB_PERIOD_MS = "250";
    const job = defineJob({ name: "overridden", periodMs: 3_600_000, run: async () => undefined });
    expect(periodOf(job)).toBe(250);
    const a = scheduler("instance-a", [job], { tickMs: 20 });
    await a.start();
    await sleep(650);
    await a.stop();
    expect((await db().job.findUniqueOrThrow({ where: { name: "overridden" } })).periodMs).toBe(250);
    expect((await runsOf("overridden")).length).toBeGreaterThanOrEqual(2);
  });

  it.each(["0", "-5", "1.5", "soon", "86400001"])("refuses %s with a clear error, at start and when seeding", async (value) => {
    process.env.TOOLGATE_JOB_PERIOD_MS = value;
    const job = defineJob({ name: "never", periodMs: 1_000, run: async () => undefined });
    expect(() => readEnv({ TOOLGATE_JOB_PERIOD_MS: value })).toThrow(/TOOLGATE_JOB_PERIOD_MS: must be (a positive whole number|at most 86400000)/);
    await expect(scheduler("instance-a", [job]).seed()).rejects.toThrow(/^Invalid TOOLGATE_JOB_PERIOD_MS: must be/);
  });
});

describe("defineJob", () => {
  it.each([
    ["Bad Name", 1_000],
    ["drift\nsweep", 1_000],
    ["ok", 0],
    ["ok", 1.5],
  ])("refuses name %j with period %d", (name, periodMs) => {
    expect(() => defineJob({ name, periodMs, run: async () => undefined })).toThrow();
  });
});

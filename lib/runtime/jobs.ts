import { z } from "zod";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";

// Periodic jobs, once per cluster (docs/decisions/040-jobs-and-events.md). Every instance seeds the
// `jobs` table with the jobs it knows and ticks about once a second; a tick claims the due jobs with one
// UPDATE that sets `running_by` and a lease (the row lock lets exactly one instance win), runs them,
// records each run in `job_runs`, and schedules the next: a period after the start on success, an
// exponential backoff capped at the period on failure. A claimant that dies leaves a lease that
// expires; then another instance runs the job. Registering a job is one `defineJob({ name, periodMs, run })`.
//
// A run fails only by throwing (or rejecting): that is "the job broke", retried with backoff and shown red.
// What a run that worked found — the drift sweep's unreachable backends, say — is its summary: `run` may
// resolve to an object with a string `summary` (`{ checked: 12, summary: "12 checked, …" }`), which is
// stored on the run, cut to `summaryMaxChars`, and shown as the job's last result. Anything else a run
// resolves to (a count, undefined, an object without `summary`) is ignored, as before.

export interface JobDefinition {
  /** Lower-case words joined by hyphens: "retire-sunset-versions". */
  name: string;
  /** How often it runs across the cluster (TOOLGATE_JOB_PERIOD_MS overrides it). */
  periodMs: number;
  /** Throws when the job could not do its work; may resolve to `{ summary: string }` (see above), or to anything. */
  run: () => Promise<unknown>;
  /** How long a claimant may run it before another instance may take over; default max(60 s, period). */
  leaseMs?: number;
}

const definitionSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, "a job name is lower-case words joined by hyphens").max(63),
  periodMs: z.number().int().positive().max(86_400_000),
  leaseMs: z.number().int().positive().max(86_400_000).optional(),
});

/** A job to register with the scheduler, checked once here. */
export function defineJob(definition: JobDefinition): JobDefinition {
  definitionSchema.parse(definition);
  return definition;
}

/** After this many failures in a row a job logs loudly and the admin page shows it failing. */
export const failingAfter = 3;
const minLeaseMs = 60_000;
/** How many days of runs are kept per job. */
const keepRunsDays = 7;
const errorMaxChars = 2_000;
/** A run's summary is one readable paragraph, not a report: longer ones are cut, with an ellipsis. */
export const summaryMaxChars = 500;

export interface SchedulerOptions {
  /** This instance's name in `running_by` and `job_runs.instance`. */
  instanceId: string;
  jobs: JobDefinition[];
  /** About how often the instance looks for due jobs (jittered ±50 %). */
  tickMs?: number;
  /** The first retry waits this long, then twice as long each time, up to the period. */
  retryBaseMs?: number;
}

interface Claimed {
  name: string;
  period_ms: number;
  consecutive_failures: number;
  started_at: Date;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, errorMaxChars);

/** The summary a run resolved to, cut to `summaryMaxChars`: only an object's string `summary` counts; blank is none. */
export function summaryOf(result: unknown): string | null {
  if (typeof result !== "object" || result === null || !("summary" in result) || typeof result.summary !== "string") return null;
  const summary = result.summary.trim();
  if (summary === "") return null;
  return summary.length <= summaryMaxChars ? summary : `${summary.slice(0, summaryMaxChars - 1)}…`;
}

/** The periods in force: each job's own, or TOOLGATE_JOB_PERIOD_MS for all (a bad value throws naming it). */
export function periodOf(job: JobDefinition): number {
  return env("TOOLGATE_JOB_PERIOD_MS") ?? job.periodMs;
}

export class JobScheduler {
  private readonly byName: Map<string, JobDefinition>;
  private readonly tickMs: number;
  private readonly retryBaseMs: number;
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<unknown> | undefined;
  private stopped = false;
  private seeded = false;

  constructor(private readonly options: SchedulerOptions) {
    this.byName = new Map(options.jobs.map((job) => [job.name, job]));
    this.tickMs = options.tickMs ?? 1_000;
    this.retryBaseMs = options.retryBaseMs ?? 1_000;
  }

  /** Adds this instance's jobs to the table, or updates their period; a shorter period brings the next run closer. */
  async seed(): Promise<void> {
    for (const job of this.byName.values()) {
      const period = periodOf(job);
      await db().$executeRaw`
        INSERT INTO "jobs" ("name", "period_ms", "next_run_at") VALUES (${job.name}, ${period}, CURRENT_TIMESTAMP)
        ON CONFLICT ("name") DO UPDATE SET "period_ms" = EXCLUDED."period_ms",
          "next_run_at" = LEAST("jobs"."next_run_at", CURRENT_TIMESTAMP + make_interval(secs => ${period / 1000}))`;
    }
    this.seeded = true;
  }

  /** Seeds, then ticks until stopped; if seeding fails (the database is away), each tick tries again. */
  async start(): Promise<void> {
    await this.seed().catch((error: unknown) => console.error("[toolgate] seeding the jobs table failed; retrying:", errorText(error)));
    this.schedule(0);
  }

  /** Claims the due jobs and runs them; resolves once the claimed runs are recorded. Returns the names run. */
  async tick(): Promise<string[]> {
    const started = await this.claimAndStart();
    await Promise.all(started.map(({ run }) => run));
    return started.map(({ name }) => name);
  }

  /** Stops ticking; resolves when the runs under way have finished (a run that never does keeps its lease until it expires). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.allSettled([...this.running]);
  }

  private schedule(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // Runs are not awaited: a slow job does not hold back the others' claims on this instance.
      this.ticking = this.claimAndStart()
        .catch((error: unknown) => console.error("[toolgate] looking for due jobs failed:", errorText(error)))
        .finally(() => this.schedule(this.tickMs * (0.5 + Math.random())));
    }, delay);
    this.timer.unref();
  }

  private async claimAndStart(): Promise<{ name: string; run: Promise<void> }[]> {
    if (!this.seeded) await this.seed();
    const claimed = await this.claim();
    return claimed.map((row) => ({
      name: row.name,
      // A run whose bookkeeping fails (the database went away) keeps its claim until the lease expires.
      run: this.track(this.runClaimed(row)).catch((error: unknown) => console.error(`[toolgate] recording job ${row.name} failed:`, errorText(error))),
    }));
  }

  private track(run: Promise<void>): Promise<void> {
    this.running.add(run);
    return run.finally(() => this.running.delete(run));
  }

  private async claim(): Promise<Claimed[]> {
    if (this.stopped) return [];
    const jobs = [...this.byName.values()];
    if (jobs.length === 0) return [];
    const names = jobs.map((job) => job.name);
    const leases = jobs.map((job) => job.leaseMs ?? Math.max(minLeaseMs, periodOf(job)));
    // Re-checked under the row lock: of two instances claiming one job at once, the second finds it taken.
    return db().$queryRaw<Claimed[]>`
      UPDATE "jobs" SET "running_by" = ${this.options.instanceId}, "last_started_at" = CURRENT_TIMESTAMP,
        "lease_until" = CURRENT_TIMESTAMP + make_interval(secs => "lease"."ms" / 1000.0)
      FROM unnest(${names}::text[], ${leases}::int[]) AS "lease"("name", "ms")
      WHERE "jobs"."name" = "lease"."name" AND "next_run_at" <= CURRENT_TIMESTAMP AND ("running_by" IS NULL OR "lease_until" < CURRENT_TIMESTAMP)
      RETURNING "jobs"."name", "period_ms", "consecutive_failures", "last_started_at" AS "started_at"`;
  }

  private async runClaimed(row: Claimed): Promise<void> {
    const job = this.byName.get(row.name)!;
    const instance = this.options.instanceId;
    const attempt = row.consecutive_failures + 1;
    // A run still marked running is a claimant's that died (its lease expired, or this one would not have won).
    await db().$executeRaw`
      UPDATE "job_runs" SET "outcome" = 'failed', "finished_at" = CURRENT_TIMESTAMP, "error" = 'its instance stopped before finishing (lease expired)'
      WHERE "job" = ${job.name} AND "outcome" = 'running'`;
    const [run] = await db().$queryRaw<{ id: bigint }[]>`
      INSERT INTO "job_runs" ("job", "instance", "started_at", "attempt") VALUES (${job.name}, ${instance}, ${row.started_at}, ${attempt}) RETURNING "id"`;
    let failure: string | undefined;
    let summary: string | null = null;
    try {
      summary = summaryOf(await job.run());
    } catch (error) {
      failure = errorText(error);
    }
    await db().$executeRaw`
      UPDATE "job_runs" SET "outcome" = ${failure === undefined ? "succeeded" : "failed"}, "finished_at" = CURRENT_TIMESTAMP, "error" = ${failure ?? null},
        "summary" = ${summary}
      WHERE "id" = ${run!.id} AND "outcome" = 'running'`;
    if (failure === undefined) {
      await db().$executeRaw`
        UPDATE "jobs" SET "running_by" = NULL, "lease_until" = NULL, "last_finished_at" = CURRENT_TIMESTAMP, "last_outcome" = 'succeeded',
          "last_error" = NULL, "consecutive_failures" = 0, "next_run_at" = ${row.started_at}::timestamptz + make_interval(secs => "period_ms" / 1000.0)
        WHERE "name" = ${job.name} AND "running_by" = ${instance} AND "last_started_at" = ${row.started_at}`;
    } else {
      const backoffMs = Math.min(row.period_ms, this.retryBaseMs * 2 ** Math.min(row.consecutive_failures, 30));
      await db().$executeRaw`
        UPDATE "jobs" SET "running_by" = NULL, "lease_until" = NULL, "last_finished_at" = CURRENT_TIMESTAMP, "last_outcome" = 'failed',
          "last_error" = ${failure}, "consecutive_failures" = ${attempt}, "next_run_at" = CURRENT_TIMESTAMP + make_interval(secs => ${backoffMs / 1000})
        WHERE "name" = ${job.name} AND "running_by" = ${instance} AND "last_started_at" = ${row.started_at}`;
      if (attempt >= failingAfter) console.error(`[toolgate] JOB FAILING: ${job.name} failed ${attempt} times in a row; last error: ${failure}`);
      else console.error(`[toolgate] job ${job.name} failed (attempt ${attempt}), retrying in ${backoffMs} ms:`, failure);
    }
    await db().$executeRaw`DELETE FROM "job_runs" WHERE "job" = ${job.name} AND "started_at" < CURRENT_TIMESTAMP - make_interval(days => ${keepRunsDays})`;
  }
}

export interface JobView {
  name: string;
  periodMs: number;
  nextRunAt: Date;
  runningBy: string | null;
  leaseUntil: Date | null;
  lastStartedAt: Date | null;
  lastFinishedAt: Date | null;
  lastOutcome: "succeeded" | "failed" | null;
  lastError: string | null;
  consecutiveFailures: number;
  /** Failed `failingAfter` times or more in a row. */
  failing: boolean;
  /** The instance of the latest run, if any. */
  lastInstance: string | null;
  /** The summary of the latest finished run (null when it failed or said nothing): what the job last found. */
  lastSummary: string | null;
}

/** Every job in the table, by name, as the jobs API and the admin page show them. */
export async function listJobs(): Promise<JobView[]> {
  const [jobs, lastRuns] = await Promise.all([
    db().job.findMany({ orderBy: { name: "asc" } }),
    // Each job's latest run (its instance) and latest finished run (its summary: one still running has none
    // yet), by the (job, started_at) index: one row each, however many runs the last days kept.
    db().$queryRaw<{ name: string; instance: string | null; summary: string | null }[]>`
      SELECT "jobs"."name", "latest"."instance", "finished"."summary" FROM "jobs"
      LEFT JOIN LATERAL (SELECT "instance" FROM "job_runs" WHERE "job_runs"."job" = "jobs"."name" ORDER BY "started_at" DESC LIMIT 1) AS "latest" ON true
      LEFT JOIN LATERAL (
        SELECT "summary" FROM "job_runs" WHERE "job_runs"."job" = "jobs"."name" AND "outcome" <> 'running' ORDER BY "started_at" DESC LIMIT 1
      ) AS "finished" ON true`,
  ]);
  const lastRunOf = new Map(lastRuns.map((row) => [row.name, row]));
  return jobs.map((job) => ({
    name: job.name,
    periodMs: job.periodMs,
    nextRunAt: job.nextRunAt,
    runningBy: job.runningBy,
    leaseUntil: job.leaseUntil,
    lastStartedAt: job.lastStartedAt,
    lastFinishedAt: job.lastFinishedAt,
    lastOutcome: job.lastOutcome === "succeeded" || job.lastOutcome === "failed" ? job.lastOutcome : null,
    lastError: job.lastError,
    consecutiveFailures: job.consecutiveFailures,
    failing: job.consecutiveFailures >= failingAfter,
    lastInstance: lastRunOf.get(job.name)?.instance ?? null,
    lastSummary: lastRunOf.get(job.name)?.summary ?? null,
  }));
}

-- Issue #20 (decision 040): events instead of polling, and periodic jobs once per cluster.

-- Every status change of a tool-call approval request (approved, denied, expired, used) tells listeners
-- its id: the instance where a call waits for that request wakes it at once.
CREATE FUNCTION "notify_tool_call_approval_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('toolgate_approvals', NEW."id"::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER "tool_call_approvals_notify" AFTER UPDATE OF "status" ON "tool_call_approvals"
  FOR EACH ROW WHEN (OLD."status" IS DISTINCT FROM NEW."status") EXECUTE FUNCTION "notify_tool_call_approval_change"();

-- One row per periodic job, seeded by every instance at start. An instance claims a due job by setting
-- "running_by" and a lease in one UPDATE (the row lock makes exactly one claimant win); a claimant that
-- dies leaves a lease that expires, and another instance runs the job again.
CREATE TABLE "jobs" (
  "name" TEXT NOT NULL,
  "period_ms" INTEGER NOT NULL,
  "next_run_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "running_by" TEXT,
  "lease_until" TIMESTAMPTZ(3),
  "last_started_at" TIMESTAMPTZ(3),
  "last_finished_at" TIMESTAMPTZ(3),
  "last_outcome" TEXT,
  "last_error" TEXT,
  "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "jobs_pkey" PRIMARY KEY ("name"),
  CONSTRAINT "jobs_period_ms_positive" CHECK ("period_ms" > 0),
  CONSTRAINT "jobs_last_outcome_check" CHECK ("last_outcome" IN ('succeeded', 'failed'))
);

-- Each run of a job: which instance, when, how it ended, and the how-many-th attempt since the last success.
CREATE TABLE "job_runs" (
  "id" BIGSERIAL NOT NULL,
  "job" TEXT NOT NULL,
  "instance" TEXT NOT NULL,
  "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(3),
  "outcome" TEXT NOT NULL DEFAULT 'running',
  "error" TEXT,
  "attempt" INTEGER NOT NULL DEFAULT 1,
  CONSTRAINT "job_runs_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "job_runs_outcome_check" CHECK ("outcome" IN ('running', 'succeeded', 'failed')),
  CONSTRAINT "job_runs_job_fkey" FOREIGN KEY ("job") REFERENCES "jobs"("name") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "job_runs_job_started_at_idx" ON "job_runs"("job", "started_at");

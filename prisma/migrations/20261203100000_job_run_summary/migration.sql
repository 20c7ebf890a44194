-- A job run's short human summary (decision 040, 2026-12-01): what a run that succeeded found, e.g. the
-- drift sweep's "12 checked, 1 drifted, 2 unreachable: …". The scheduler cuts it to 500 characters.
ALTER TABLE "job_runs" ADD COLUMN "summary" TEXT;

-- When a replay last reported progress: a run still "running" that has not for minutes lost its
-- process, and is marked failed when read (lib/policy/replay-runs.ts).
ALTER TABLE "policy_replays" ADD COLUMN "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

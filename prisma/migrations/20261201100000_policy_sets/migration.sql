-- Policy sets governed like tools (issue #18): versioned Cedar text, immutable once proposed,
-- approved by someone other than its author, one active at a time, rollback by re-activating an
-- earlier set. Replays of a set against audited calls run in the background with their progress here.
CREATE TYPE "PolicySetStatus" AS ENUM ('draft', 'proposed', 'approved', 'rejected', 'active', 'superseded');

CREATE TABLE "policy_sets" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "number" SERIAL NOT NULL,
  "text" TEXT NOT NULL,
  "hash" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "status" "PolicySetStatus" NOT NULL DEFAULT 'draft',
  "based_on_id" UUID,
  "author_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "proposed_at" TIMESTAMPTZ(3),
  "decided_by_id" UUID,
  "decided_at" TIMESTAMPTZ(3),
  "decision_reason" TEXT,
  "activated_by_id" UUID,
  "activated_at" TIMESTAMPTZ(3),
  "shadow_since" TIMESTAMPTZ(3),
  CONSTRAINT "policy_sets_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "policy_sets_based_on_id_fkey" FOREIGN KEY ("based_on_id") REFERENCES "policy_sets"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "policy_sets_author_id_fkey" FOREIGN KEY ("author_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "policy_sets_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "policy_sets_activated_by_id_fkey" FOREIGN KEY ("activated_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "policy_sets_number_key" ON "policy_sets"("number");
CREATE INDEX "policy_sets_status_idx" ON "policy_sets"("status");
-- At most one set decides, and at most one runs in shadow beside it.
CREATE UNIQUE INDEX "policy_sets_one_active" ON "policy_sets"("status") WHERE "status" = 'active';
CREATE UNIQUE INDEX "policy_sets_one_shadow" ON "policy_sets"(("shadow_since" IS NOT NULL)) WHERE "shadow_since" IS NOT NULL;
-- Activating, rolling back or shadowing a set reaches every instance's resolved views.
CREATE TRIGGER "policy_sets_notify" AFTER INSERT OR UPDATE OR DELETE ON "policy_sets" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

CREATE TYPE "PolicyReplayStatus" AS ENUM ('queued', 'running', 'done', 'failed');

CREATE TABLE "policy_replays" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "policy_set_id" UUID NOT NULL,
  "baseline_set_id" UUID,
  "window_from" TIMESTAMPTZ(3) NOT NULL,
  "window_to" TIMESTAMPTZ(3) NOT NULL,
  "status" "PolicyReplayStatus" NOT NULL DEFAULT 'queued',
  "processed" INTEGER NOT NULL DEFAULT 0,
  "total" INTEGER NOT NULL DEFAULT 0,
  "report" JSONB,
  "error" TEXT,
  "requested_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "finished_at" TIMESTAMPTZ(3),
  CONSTRAINT "policy_replays_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "policy_replays_policy_set_id_fkey" FOREIGN KEY ("policy_set_id") REFERENCES "policy_sets"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "policy_replays_baseline_set_id_fkey" FOREIGN KEY ("baseline_set_id") REFERENCES "policy_sets"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT "policy_replays_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "policy_replays_policy_set_id_created_at_idx" ON "policy_replays"("policy_set_id", "created_at");

-- Audit hash chain: every event carries the hash of the one before it (in chain order), so an edited
-- or deleted row breaks the chain where it happened. The chain's head is one row, locked by each insert,
-- which also serializes chain order across app instances.
CREATE TABLE "audit_chain_head" (
  "id" INTEGER NOT NULL,
  "seq" BIGINT NOT NULL,
  "hash" TEXT NOT NULL,
  CONSTRAINT "audit_chain_head_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "audit_chain_head_single_row" CHECK ("id" = 1)
);
INSERT INTO "audit_chain_head" ("id", "seq", "hash") VALUES (1, 0, repeat('0', 64));

ALTER TABLE "audit_events" ADD COLUMN "chain_seq" BIGINT, ADD COLUMN "prev_hash" TEXT, ADD COLUMN "hash" TEXT;

-- What is hashed: the chain position, the previous hash and every recorded field, as one JSON array
-- (jsonb's text form is canonical: key order and spacing do not depend on how the row was written).
CREATE FUNCTION "audit_event_hash"(e "audit_events") RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT encode(sha256(convert_to(jsonb_build_array(
    e."chain_seq", e."prev_hash", (extract(epoch FROM e."occurred_at") * 1000)::bigint,
    e."actor_id", e."actor_label", e."action", e."target_type", e."target_id", e."reason",
    e."correlation_id", e."outcome"::text, e."details"
  )::text, 'UTF8')), 'hex')
$$;

CREATE FUNCTION "audit_events_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head "audit_chain_head"%ROWTYPE;
BEGIN
  SELECT * INTO head FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE;
  -- Stored at millisecond precision; hashed exactly as stored.
  NEW."occurred_at" := date_trunc('milliseconds', NEW."occurred_at");
  NEW."chain_seq" := head."seq" + 1;
  NEW."prev_hash" := head."hash";
  NEW."hash" := "audit_event_hash"(NEW);
  UPDATE "audit_chain_head" SET "seq" = NEW."chain_seq", "hash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END;
$$;

-- Events recorded before the chain existed join it in the order they were written.
ALTER TABLE "audit_events" DISABLE TRIGGER "audit_events_no_update_delete";
DO $$
DECLARE
  event "audit_events";
  previous TEXT := repeat('0', 64);
  position BIGINT := 0;
BEGIN
  FOR event IN SELECT * FROM "audit_events" ORDER BY "id" LOOP
    position := position + 1;
    event."occurred_at" := date_trunc('milliseconds', event."occurred_at");
    event."chain_seq" := position;
    event."prev_hash" := previous;
    event."hash" := "audit_event_hash"(event);
    UPDATE "audit_events" SET "occurred_at" = event."occurred_at", "chain_seq" = position, "prev_hash" = previous, "hash" = event."hash" WHERE "id" = event."id";
    previous := event."hash";
  END LOOP;
  UPDATE "audit_chain_head" SET "seq" = position, "hash" = previous WHERE "id" = 1;
END;
$$;
ALTER TABLE "audit_events" ENABLE TRIGGER "audit_events_no_update_delete";

ALTER TABLE "audit_events" ALTER COLUMN "chain_seq" SET NOT NULL, ALTER COLUMN "prev_hash" SET NOT NULL, ALTER COLUMN "hash" SET NOT NULL;
CREATE UNIQUE INDEX "audit_events_chain_seq_key" ON "audit_events"("chain_seq");
CREATE TRIGGER "audit_events_chain" BEFORE INSERT ON "audit_events" FOR EACH ROW EXECUTE FUNCTION "audit_events_chain"();
-- The audit page filters by these.
CREATE INDEX "audit_events_action_idx" ON "audit_events"("action");
CREATE INDEX "audit_events_actor_label_idx" ON "audit_events"("actor_label");

-- Runtime approvals: a high-risk tools/call waits for a person. An approval is bound to the agent,
-- the tool, the pinned version and the arguments' hash, and is used at most once.
CREATE TYPE "ToolCallApprovalStatus" AS ENUM ('pending', 'approved', 'denied', 'expired', 'used');
CREATE TABLE "tool_call_approvals" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "agent_id" UUID NOT NULL,
  "server_id" UUID NOT NULL,
  "version_id" UUID NOT NULL,
  "tool_name" TEXT NOT NULL,
  "arguments_hash" TEXT NOT NULL,
  -- What approvers see: the arguments with the fields data handling marks sensitive masked.
  "arguments" JSONB NOT NULL,
  "risk_tier" "RiskTier",
  "risk_reason" TEXT NOT NULL,
  "status" "ToolCallApprovalStatus" NOT NULL DEFAULT 'pending',
  -- A pending request can be decided until then; an approved one can be used until valid_until.
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  "decided_by_id" UUID,
  "decided_at" TIMESTAMPTZ(3),
  "decision_reason" TEXT,
  "valid_until" TIMESTAMPTZ(3),
  "used_at" TIMESTAMPTZ(3),
  "escalated_at" TIMESTAMPTZ(3),
  "correlation_id" TEXT NOT NULL,
  CONSTRAINT "tool_call_approvals_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "tool_call_approvals_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "tool_call_approvals_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "tool_call_approvals_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "tool_call_approvals_decided_by_id_fkey" FOREIGN KEY ("decided_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "tool_call_approvals_status_created_at_idx" ON "tool_call_approvals"("status", "created_at");
CREATE INDEX "tool_call_approvals_binding_idx" ON "tool_call_approvals"("agent_id", "version_id", "tool_name", "arguments_hash");

-- The approval policies (risk tiers needing approval) shape what the gateway resolves.
CREATE TRIGGER "settings_notify" AFTER INSERT OR UPDATE OR DELETE ON "settings" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

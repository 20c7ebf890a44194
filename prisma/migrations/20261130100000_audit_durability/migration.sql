-- Audit durability (docs/decisions/016-audit-durability.md).

-- 1. An idempotency key per gateway event: a batch retried after a partial failure, a spool replayed after
-- its write landed, or a journal replayed after a crash writes each event once. Not part of the hash: it
-- is the writer's bookkeeping, not what happened.
ALTER TABLE "audit_events" ADD COLUMN "idempotency_key" TEXT;
CREATE UNIQUE INDEX "audit_events_idempotency_key_key" ON "audit_events"("idempotency_key");

-- 2. Incidents of the chain itself, found and recorded by the database: append-only like the events.
CREATE TABLE "audit_chain_incidents" (
  "id" BIGSERIAL NOT NULL,
  "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "kind" TEXT NOT NULL,
  -- The chain position the incident happened after.
  "chain_seq" BIGINT NOT NULL,
  "detail" TEXT NOT NULL,
  CONSTRAINT "audit_chain_incidents_pkey" PRIMARY KEY ("id")
);
CREATE TRIGGER "audit_chain_incidents_append_only" BEFORE UPDATE OR DELETE ON "audit_chain_incidents"
  FOR EACH ROW EXECUTE FUNCTION "records_append_only"();
CREATE TRIGGER "audit_chain_incidents_no_truncate" BEFORE TRUNCATE ON "audit_chain_incidents"
  FOR EACH STATEMENT EXECUTE FUNCTION "records_append_only"();

-- 3. The chain's head is protected like the events: only the chain trigger moves it, one step at a time.
-- pg_trigger_depth() > 1 means the UPDATE comes from inside a trigger (the chain trigger), not a statement.
CREATE FUNCTION "audit_chain_head_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND NEW."id" = OLD."id" AND NEW."seq" = OLD."seq" + 1 THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_chain_head is kept by the audit chain: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "audit_chain_head_guard" BEFORE UPDATE OR DELETE ON "audit_chain_head"
  FOR EACH ROW EXECUTE FUNCTION "audit_chain_head_guard"();
CREATE TRIGGER "audit_chain_head_no_truncate" BEFORE TRUNCATE ON "audit_chain_head"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_chain_head_guard"();

-- 4. A head removed anyway (by the owner bypassing triggers) no longer stops every audit write: the next
-- insert rebuilds it from the last event in chain order and records the incident, which verification
-- reports. Refusing every insert instead would stop the app recording anything, a denial of service for
-- whoever can delete one row, while the rebuilt head cannot hide more than the missing head already did.
CREATE OR REPLACE FUNCTION "audit_events_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head "audit_chain_head"%ROWTYPE;
  last_seq BIGINT;
  last_hash TEXT;
  rebuilt INTEGER;
BEGIN
  SELECT * INTO head FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE;
  IF NOT FOUND THEN
    SELECT "chain_seq", "hash" INTO last_seq, last_hash FROM "audit_events" ORDER BY "chain_seq" DESC LIMIT 1;
    INSERT INTO "audit_chain_head" ("id", "seq", "hash") VALUES (1, COALESCE(last_seq, 0), COALESCE(last_hash, repeat('0', 64)))
      ON CONFLICT ("id") DO NOTHING;
    GET DIAGNOSTICS rebuilt = ROW_COUNT;
    IF rebuilt = 1 THEN
      INSERT INTO "audit_chain_incidents" ("kind", "chain_seq", "detail")
        VALUES ('head_missing', COALESCE(last_seq, 0), 'The chain head row was missing; it was rebuilt from the last event, #' || COALESCE(last_seq, 0) || '.');
      RAISE WARNING 'audit_chain_head was missing; rebuilt from event #%', COALESCE(last_seq, 0);
    END IF;
    SELECT * INTO head FROM "audit_chain_head" WHERE "id" = 1 FOR UPDATE;
  END IF;
  -- Stored at millisecond precision; hashed exactly as stored.
  NEW."occurred_at" := date_trunc('milliseconds', NEW."occurred_at");
  NEW."chain_seq" := head."seq" + 1;
  NEW."prev_hash" := head."hash";
  NEW."hash" := "audit_event_hash"(NEW);
  UPDATE "audit_chain_head" SET "seq" = NEW."chain_seq", "hash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END;
$$;

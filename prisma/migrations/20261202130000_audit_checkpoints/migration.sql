-- Audit at cluster rate, signed checkpoints and retention (docs/decisions/041-audit-at-cluster-rate.md).

-- 1. The chain head moves once per statement, not once per event. The first event a transaction chains
-- locks the head (FOR UPDATE, held to commit, as before: chain order is still commit order); the events
-- after it, in that statement and the transaction's later ones, are chained from a transaction-local tip
-- (txid:seq:hash), and one AFTER STATEMENT trigger moves the head to it. The hash, the order and what
-- verification checks are unchanged; what goes is one UPDATE of the head row per event, whose row
-- versions every later event in the batch (and every waiting writer) had to step over.
CREATE OR REPLACE FUNCTION "audit_events_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  head "audit_chain_head"%ROWTYPE;
  last_seq BIGINT;
  last_hash TEXT;
  rebuilt INTEGER;
  tip TEXT[] := string_to_array(current_setting('toolgate.audit_chain_tip', true), ':');
  tip_seq BIGINT;
  tip_hash TEXT;
BEGIN
  -- A tip left by another transaction (a session-level SET, say) is not ours: only this transaction's counts.
  IF tip IS NOT NULL AND array_length(tip, 1) = 3 AND tip[1] = txid_current()::text THEN
    tip_seq := tip[2]::bigint;
    tip_hash := tip[3];
  ELSE
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
    tip_seq := head."seq";
    tip_hash := head."hash";
  END IF;
  -- Stored at millisecond precision; hashed exactly as stored.
  NEW."occurred_at" := date_trunc('milliseconds', NEW."occurred_at");
  NEW."chain_seq" := tip_seq + 1;
  NEW."prev_hash" := tip_hash;
  NEW."hash" := "audit_event_hash"(NEW);
  PERFORM set_config('toolgate.audit_chain_tip', txid_current() || ':' || NEW."chain_seq" || ':' || NEW."hash", true);
  RETURN NEW;
END;
$$;

CREATE FUNCTION "audit_events_chain_head"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  tip TEXT[] := string_to_array(current_setting('toolgate.audit_chain_tip', true), ':');
BEGIN
  IF tip IS NOT NULL AND array_length(tip, 1) = 3 AND tip[1] = txid_current()::text THEN
    UPDATE "audit_chain_head" SET "seq" = tip[2]::bigint, "hash" = tip[3] WHERE "id" = 1 AND "seq" < tip[2]::bigint;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "audit_events_chain_head" AFTER INSERT ON "audit_events" FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_chain_head"();

-- The head guard (migration 20261130100000_audit_durability) let the chain trigger move the head one step;
-- it now moves a statement's worth at once, forward only, and only to an event that is there with that hash.
CREATE OR REPLACE FUNCTION "audit_chain_head_guard"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 AND NEW."id" = OLD."id" AND NEW."seq" > OLD."seq"
     AND EXISTS (SELECT 1 FROM "audit_events" WHERE "chain_seq" = NEW."seq" AND "hash" = NEW."hash") THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_chain_head is kept by the audit chain: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

-- 2. Signed checkpoints: Toolgate's Ed25519 key (lib/signing/keys.ts, the manifest key) signs the canonical
-- statement {schema, kind, seq, hash, signedAt, instance} (RFC 8785 JSON); published at /api/v1/audit/checkpoints.
-- kind 'head': the chain's head as it was at signed_at. kind 'pruned': retention deleted every event up to and
-- including chain_seq, whose hash this was; verification starts from the newest such anchor.
CREATE TABLE "audit_checkpoints" (
  "id" BIGSERIAL NOT NULL,
  "kind" TEXT NOT NULL,
  "chain_seq" BIGINT NOT NULL,
  "hash" TEXT NOT NULL,
  "signed_at" TIMESTAMPTZ(3) NOT NULL,
  "instance" TEXT NOT NULL,
  "key_id" TEXT NOT NULL,
  "signature" TEXT NOT NULL,
  CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "audit_checkpoints_kind" CHECK ("kind" IN ('head', 'pruned'))
);
CREATE INDEX "audit_checkpoints_kind_chain_seq_idx" ON "audit_checkpoints"("kind", "chain_seq");
CREATE TRIGGER "audit_checkpoints_append_only" BEFORE UPDATE OR DELETE ON "audit_checkpoints"
  FOR EACH ROW EXECUTE FUNCTION "records_append_only"();
CREATE TRIGGER "audit_checkpoints_no_truncate" BEFORE TRUNCATE ON "audit_checkpoints"
  FOR EACH STATEMENT EXECUTE FUNCTION "records_append_only"();

-- 3. Retention: audit events stay append-only, except that an event may be deleted once it is older than the
-- audit.retentionDays policy (the settings row, else the default of 365 days; a value the policy's schema
-- would refuse counts as the default) and a 'pruned' anchor at or after its position is recorded. The
-- database cannot check the anchor's signature; verification does. UPDATE and TRUNCATE stay refused.
CREATE OR REPLACE FUNCTION "audit_events_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  retention_days INTEGER;
BEGIN
  IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
    SELECT CASE WHEN jsonb_typeof("value") = 'number' AND ("value" #>> '{}')::numeric BETWEEN 1 AND 3650
                 AND ("value" #>> '{}')::numeric = trunc(("value" #>> '{}')::numeric) THEN ("value" #>> '{}')::integer END
      INTO retention_days FROM "settings" WHERE "key" = 'audit.retentionDays';
    IF OLD."occurred_at" < now() - make_interval(days => COALESCE(retention_days, 365))
       AND EXISTS (SELECT 1 FROM "audit_checkpoints" c WHERE c."kind" = 'pruned' AND c."chain_seq" >= OLD."chain_seq") THEN
      RETURN OLD;
    END IF;
  END IF;
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

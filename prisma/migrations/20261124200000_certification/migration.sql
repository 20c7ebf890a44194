-- Certification: evidence, lifecycle decisions, promotions and pins, kill switches, signing keys, settings.
CREATE TYPE "EvidenceKind" AS ENUM ('eval_result', 'red_team_report', 'security_scan', 'compliance_attestation', 'sbom', 'approval', 'audit_artifact');
CREATE TYPE "PromotionStatus" AS ENUM ('pending', 'promoted', 'denied');
CREATE TYPE "KillScope" AS ENUM ('global', 'server', 'version', 'tool');

ALTER TABLE "server_versions"
  ADD COLUMN "reviewer_id" UUID,
  ADD COLUMN "certified_at" TIMESTAMPTZ(3),
  ADD COLUMN "risk_tier" "RiskTier",
  ADD COLUMN "approval_tools" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  ADD COLUMN "manifest" JSONB,
  ADD COLUMN "manifest_signature" TEXT,
  ADD COLUMN "signing_key_id" TEXT,
  ADD COLUMN "deprecated_at" TIMESTAMPTZ(3),
  ADD COLUMN "sunset_at" TIMESTAMPTZ(3);

-- Once certified, the decision and its signed manifest are as immutable as the definitions.
CREATE FUNCTION "server_versions_certification_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."certified_at" IS NOT NULL AND (
    NEW."certified_at" IS DISTINCT FROM OLD."certified_at" OR NEW."risk_tier" IS DISTINCT FROM OLD."risk_tier" OR
    NEW."approval_tools" IS DISTINCT FROM OLD."approval_tools" OR NEW."manifest" IS DISTINCT FROM OLD."manifest" OR
    NEW."manifest_signature" IS DISTINCT FROM OLD."manifest_signature" OR NEW."signing_key_id" IS DISTINCT FROM OLD."signing_key_id") THEN
    RAISE EXCEPTION 'the certification of server version % can no longer change', OLD."version"
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "server_versions_certification_immutable" BEFORE UPDATE ON "server_versions"
  FOR EACH ROW EXECUTE FUNCTION "server_versions_certification_immutable"();

CREATE TABLE "evidence" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "kind" "EvidenceKind" NOT NULL,
  "title" TEXT NOT NULL,
  "file_name" TEXT,
  "media_type" TEXT,
  "size_bytes" INTEGER NOT NULL,
  "sha256" TEXT NOT NULL,
  "content" BYTEA,
  "record" JSONB NOT NULL,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "evidence_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "evidence_sha256_format" CHECK ("sha256" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "evidence_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "evidence_version_id_idx" ON "evidence"("version_id");

CREATE TABLE "version_decisions" (
  "id" BIGSERIAL NOT NULL,
  "version_id" UUID NOT NULL,
  "action" TEXT NOT NULL,
  "actor_id" UUID,
  "reason" TEXT,
  "details" JSONB,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "version_decisions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "version_decisions_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "version_decisions_version_id_idx" ON "version_decisions"("version_id");

-- Evidence and decisions are records: never edited, never removed.
CREATE FUNCTION "records_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER "evidence_append_only" BEFORE UPDATE OR DELETE ON "evidence"
  FOR EACH ROW EXECUTE FUNCTION "records_append_only"();
CREATE TRIGGER "version_decisions_append_only" BEFORE UPDATE OR DELETE ON "version_decisions"
  FOR EACH ROW EXECUTE FUNCTION "records_append_only"();

CREATE TABLE "promotions" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "environment" "Environment" NOT NULL,
  "rollout_plan" TEXT NOT NULL,
  "rollback_plan" TEXT NOT NULL,
  "kill_switch_plan" TEXT NOT NULL,
  "sunset_days" INTEGER NOT NULL,
  "status" "PromotionStatus" NOT NULL DEFAULT 'pending',
  "requested_by_id" UUID,
  "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "decided_by_id" UUID,
  "decided_at" TIMESTAMPTZ(3),
  "decision_reason" TEXT,
  CONSTRAINT "promotions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "promotions_sunset_days_range" CHECK ("sunset_days" BETWEEN 0 AND 365),
  CONSTRAINT "promotions_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "promotions_status_idx" ON "promotions"("status");
-- At most one open request per version and environment.
CREATE UNIQUE INDEX "promotions_one_pending" ON "promotions"("version_id", "environment") WHERE "status" = 'pending';

CREATE TABLE "pins" (
  "server_id" UUID NOT NULL,
  "environment" "Environment" NOT NULL,
  "version_id" UUID NOT NULL,
  "pinned_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "pins_pkey" PRIMARY KEY ("server_id", "environment"),
  CONSTRAINT "pins_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "pins_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE "kill_switches" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "scope" "KillScope" NOT NULL,
  "server_id" UUID,
  "version_id" UUID,
  "tool_name" TEXT,
  "reason" TEXT NOT NULL,
  "engaged_by_id" UUID,
  "engaged_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "cleared_by_id" UUID,
  "cleared_at" TIMESTAMPTZ(3),
  "clear_reason" TEXT,
  CONSTRAINT "kill_switches_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "kill_switches_scope_target" CHECK (
    ("scope" = 'global' AND "server_id" IS NULL AND "version_id" IS NULL AND "tool_name" IS NULL) OR
    ("scope" = 'server' AND "server_id" IS NOT NULL AND "version_id" IS NULL AND "tool_name" IS NULL) OR
    ("scope" = 'version' AND "server_id" IS NOT NULL AND "version_id" IS NOT NULL AND "tool_name" IS NULL) OR
    ("scope" = 'tool' AND "server_id" IS NOT NULL AND "tool_name" IS NOT NULL)),
  CONSTRAINT "kill_switches_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "kill_switches_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "kill_switches_cleared_at_idx" ON "kill_switches"("cleared_at");
-- One engaged switch per target.
CREATE UNIQUE INDEX "kill_switches_one_engaged" ON "kill_switches"(
  "scope", coalesce("server_id", '00000000-0000-0000-0000-000000000000'::uuid),
  coalesce("version_id", '00000000-0000-0000-0000-000000000000'::uuid), coalesce("tool_name", ''))
  WHERE "cleared_at" IS NULL;

CREATE TABLE "signing_keys" (
  "id" TEXT NOT NULL,
  "algorithm" TEXT NOT NULL,
  "public_key_pem" TEXT NOT NULL,
  "private_key_ciphertext" TEXT,
  "active" BOOLEAN NOT NULL DEFAULT true,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "signing_keys_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "settings" (
  "key" TEXT NOT NULL,
  "value" JSONB NOT NULL,
  "updated_by_id" UUID,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "settings_pkey" PRIMARY KEY ("key")
);

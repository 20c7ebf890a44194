-- The catalog: teams, servers (catalog entries), immutable versions and what each server declared.
CREATE TYPE "Environment" AS ENUM ('dev', 'staging', 'prod');
CREATE TYPE "DataClassification" AS ENUM ('public', 'internal', 'confidential', 'restricted');
CREATE TYPE "RiskTier" AS ENUM ('low', 'medium', 'high', 'critical');
CREATE TYPE "VersionStatus" AS ENUM ('draft', 'submitted', 'in_review', 'certified', 'rejected', 'deprecated', 'retired');

CREATE TABLE "teams" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "teams_name_key" ON "teams"("name");

CREATE TABLE "team_members" (
  "team_id" UUID NOT NULL,
  "user_id" UUID NOT NULL,
  CONSTRAINT "team_members_pkey" PRIMARY KEY ("team_id", "user_id"),
  CONSTRAINT "team_members_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "team_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "team_members_user_id_idx" ON "team_members"("user_id");

CREATE TABLE "servers" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "purpose" TEXT NOT NULL,
  "team_id" UUID NOT NULL,
  "environments" "Environment"[] NOT NULL DEFAULT ARRAY[]::"Environment"[],
  "classification" "DataClassification" NOT NULL,
  "endpoint_url" TEXT NOT NULL,
  "credential_header" TEXT,
  "credential_ciphertext" TEXT,
  "credential_hint" TEXT,
  "threat_model" TEXT NOT NULL DEFAULT '',
  "risk_appetite" TEXT NOT NULL DEFAULT '',
  "risk_tier" "RiskTier",
  "approval_tools" JSONB NOT NULL DEFAULT '{}',
  "data_minimisation" TEXT NOT NULL DEFAULT '',
  "data_masking" TEXT NOT NULL DEFAULT '',
  "sensitive_fields" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  "data_retention" TEXT NOT NULL DEFAULT '',
  "data_consent" TEXT NOT NULL DEFAULT '',
  "search_vector" tsvector,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "servers_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "servers_name_pattern" CHECK ("name" ~ '^[a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+$'),
  CONSTRAINT "servers_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "servers_name_key" ON "servers"("name");
CREATE INDEX "servers_team_id_idx" ON "servers"("team_id");
CREATE INDEX "servers_search_vector_idx" ON "servers" USING GIN ("search_vector");

CREATE TABLE "server_owners" (
  "server_id" UUID NOT NULL,
  "user_id" UUID NOT NULL,
  CONSTRAINT "server_owners_pkey" PRIMARY KEY ("server_id", "user_id"),
  CONSTRAINT "server_owners_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "server_owners_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

CREATE TABLE "server_versions" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "server_id" UUID NOT NULL,
  "version" TEXT NOT NULL,
  "status" "VersionStatus" NOT NULL DEFAULT 'draft',
  "declared_name" TEXT NOT NULL,
  "declared_version" TEXT NOT NULL,
  "protocol_version" TEXT NOT NULL,
  "dependencies" JSONB NOT NULL DEFAULT '[]',
  "mitigations" TEXT NOT NULL DEFAULT '',
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "submitted_at" TIMESTAMPTZ(3),
  CONSTRAINT "server_versions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "server_versions_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "server_versions_server_id_version_key" ON "server_versions"("server_id", "version");

CREATE TABLE "version_tools" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "position" INTEGER NOT NULL,
  "name" TEXT NOT NULL,
  "title" TEXT,
  "description" TEXT,
  "input_schema" JSONB NOT NULL,
  "output_schema" JSONB,
  "annotations" JSONB,
  "definition_hash" TEXT NOT NULL,
  CONSTRAINT "version_tools_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "version_tools_hash_format" CHECK ("definition_hash" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "version_tools_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "version_tools_version_id_name_key" ON "version_tools"("version_id", "name");

CREATE TABLE "version_resources" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "position" INTEGER NOT NULL,
  "uri" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "title" TEXT,
  "description" TEXT,
  "mime_type" TEXT,
  CONSTRAINT "version_resources_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "version_resources_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "version_resources_version_id_uri_key" ON "version_resources"("version_id", "uri");

CREATE TABLE "version_prompts" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "position" INTEGER NOT NULL,
  "name" TEXT NOT NULL,
  "title" TEXT,
  "description" TEXT,
  "arguments" JSONB,
  CONSTRAINT "version_prompts_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "version_prompts_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "version_prompts_version_id_name_key" ON "version_prompts"("version_id", "name");

-- A submitted version is immutable: what it declared cannot change, only its lifecycle status moves on.
CREATE FUNCTION "server_versions_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD."status" <> 'draft' THEN
      RAISE EXCEPTION 'server version % is % and cannot be deleted', OLD."version", OLD."status"
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD."status" <> 'draft' AND NEW."status" = 'draft' THEN
    RAISE EXCEPTION 'server version % is % and cannot return to draft', OLD."version", OLD."status"
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD."status" <> 'draft' AND (
    NEW."version" IS DISTINCT FROM OLD."version" OR NEW."server_id" IS DISTINCT FROM OLD."server_id" OR
    NEW."declared_name" IS DISTINCT FROM OLD."declared_name" OR NEW."declared_version" IS DISTINCT FROM OLD."declared_version" OR
    NEW."protocol_version" IS DISTINCT FROM OLD."protocol_version" OR NEW."dependencies" IS DISTINCT FROM OLD."dependencies" OR
    NEW."mitigations" IS DISTINCT FROM OLD."mitigations") THEN
    RAISE EXCEPTION 'server version % is % and can no longer change: create a new version', OLD."version", OLD."status"
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "server_versions_immutable" BEFORE UPDATE OR DELETE ON "server_versions"
  FOR EACH ROW EXECUTE FUNCTION "server_versions_immutable"();

CREATE FUNCTION "version_contents_immutable"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  parent_status "VersionStatus";
BEGIN
  SELECT "status" INTO parent_status FROM "server_versions"
    WHERE "id" = (CASE WHEN TG_OP = 'DELETE' THEN OLD."version_id" ELSE NEW."version_id" END);
  IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
    RAISE EXCEPTION 'the definitions of a % version can no longer change: create a new version', parent_status
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "version_tools_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "version_tools"
  FOR EACH ROW EXECUTE FUNCTION "version_contents_immutable"();
CREATE TRIGGER "version_resources_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "version_resources"
  FOR EACH ROW EXECUTE FUNCTION "version_contents_immutable"();
CREATE TRIGGER "version_prompts_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "version_prompts"
  FOR EACH ROW EXECUTE FUNCTION "version_contents_immutable"();

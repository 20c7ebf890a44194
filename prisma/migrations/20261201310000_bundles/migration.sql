-- Bundles (issue #19, item 1; decision 033): a team's named set of tools across catalog entries, versioned
-- and reviewed like an entry, served at /mcp/bundles/{name}. A version's tools are immutable once it leaves
-- draft; every change reaches the gateway's cached views through the resolution channel.
CREATE TYPE "BundleStatus" AS ENUM ('draft', 'submitted', 'certified', 'rejected');

CREATE TABLE "bundles" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "title" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "team_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "bundles_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "bundles_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "bundles_name_key" ON "bundles"("name");
CREATE INDEX "bundles_team_id_idx" ON "bundles"("team_id");

CREATE TABLE "bundle_versions" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "bundle_id" UUID NOT NULL,
  "number" INTEGER NOT NULL,
  "status" "BundleStatus" NOT NULL DEFAULT 'draft',
  "author_id" UUID NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "submitted_at" TIMESTAMPTZ(3),
  "reviewer_id" UUID,
  "decided_at" TIMESTAMPTZ(3),
  "decision_reason" TEXT,
  CONSTRAINT "bundle_versions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "bundle_versions_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "bundles"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "bundle_versions_bundle_id_number_key" ON "bundle_versions"("bundle_id", "number");
CREATE INDEX "bundle_versions_status_idx" ON "bundle_versions"("status");

CREATE TABLE "bundle_tools" (
  "version_id" UUID NOT NULL,
  "server_id" UUID NOT NULL,
  "tool_name" TEXT NOT NULL,
  "position" INTEGER NOT NULL,
  CONSTRAINT "bundle_tools_pkey" PRIMARY KEY ("version_id", "server_id", "tool_name"),
  CONSTRAINT "bundle_tools_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "bundle_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "bundle_tools_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "bundle_tools_server_id_idx" ON "bundle_tools"("server_id");

-- Submitted is final for what a version contains: its tools cannot change, whoever writes to the table.
CREATE FUNCTION "bundle_tools_only_in_drafts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM "bundle_versions" WHERE "id" = COALESCE(NEW."version_id", OLD."version_id") AND "status" <> 'draft') THEN
    RAISE EXCEPTION 'bundle version % is no longer a draft: its tools cannot change', COALESCE(NEW."version_id", OLD."version_id");
  END IF;
  RETURN COALESCE(NEW, OLD);
END;
$$;
CREATE TRIGGER "bundle_tools_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "bundle_tools" FOR EACH ROW EXECUTE FUNCTION "bundle_tools_only_in_drafts"();

CREATE TRIGGER "bundles_notify" AFTER INSERT OR UPDATE OR DELETE ON "bundles" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "bundle_versions_notify" AFTER INSERT OR UPDATE OR DELETE ON "bundle_versions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "bundle_tools_notify" AFTER INSERT OR UPDATE OR DELETE ON "bundle_tools" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

-- Resources, resource templates and prompts under pins (issue #19 item 2, decision 032): each definition
-- gets a hash like a tool's (lib/catalog/definition-hash.ts), certification signs them, the gateway serves
-- them from pinned versions only and opens drift incidents when a backend's live ones change.

-- Rows recorded before hashes were kept stay NULL: their hash is unknown. The hash is RFC 8785 canonical
-- JSON under SHA-256, which SQL cannot reproduce byte for byte, and certified rows are immutable anyway;
-- an item with an unknown hash is not served (lib/gateway/resource-view.ts) until a new version is imported.
ALTER TABLE "version_resources" ADD COLUMN "definition_hash" TEXT,
  ADD CONSTRAINT "version_resources_hash_format" CHECK ("definition_hash" ~ '^[0-9a-f]{64}$');
ALTER TABLE "version_prompts" ADD COLUMN "definition_hash" TEXT,
  ADD CONSTRAINT "version_prompts_hash_format" CHECK ("definition_hash" ~ '^[0-9a-f]{64}$');

CREATE TABLE "version_resource_templates" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "version_id" UUID NOT NULL,
  "position" INTEGER NOT NULL,
  "uri_template" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "title" TEXT,
  "description" TEXT,
  "mime_type" TEXT,
  "definition_hash" TEXT NOT NULL,
  CONSTRAINT "version_resource_templates_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "version_resource_templates_hash_format" CHECK ("definition_hash" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "version_resource_templates_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "version_resource_templates_version_id_uri_template_key" ON "version_resource_templates"("version_id", "uri_template");
-- Immutable past draft, like the other definitions (the function is the catalog migration's).
CREATE TRIGGER "version_resource_templates_immutable" BEFORE INSERT OR UPDATE OR DELETE ON "version_resource_templates"
  FOR EACH ROW EXECUTE FUNCTION "version_contents_immutable"();

-- Drift of any kind of definition: one open incident per version, kind and name.
ALTER TABLE "drift_incidents" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'tool',
  ADD CONSTRAINT "drift_incidents_kind" CHECK ("kind" IN ('tool', 'resource', 'resource_template', 'prompt'));
DROP INDEX "drift_incidents_one_open";
CREATE UNIQUE INDEX "drift_incidents_one_open" ON "drift_incidents"("version_id", "kind", "tool_name") WHERE "resolved_at" IS NULL;

-- Gateway: drift incidents, and change notifications that keep every instance's resolution cache fresh.
CREATE TABLE "drift_incidents" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "server_id" UUID NOT NULL,
  "version_id" UUID NOT NULL,
  "tool_name" TEXT NOT NULL,
  "pinned_hash" TEXT NOT NULL,
  "live_hash" TEXT,
  "detected_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "resolved_at" TIMESTAMPTZ(3),
  CONSTRAINT "drift_incidents_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "drift_incidents_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "drift_incidents_version_id_fkey" FOREIGN KEY ("version_id") REFERENCES "server_versions"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "drift_incidents_server_id_idx" ON "drift_incidents"("server_id");
-- One open incident per pinned tool.
CREATE UNIQUE INDEX "drift_incidents_one_open" ON "drift_incidents"("version_id", "tool_name") WHERE "resolved_at" IS NULL;

-- Any change to what the gateway resolves (pins, grants, kill switches, agents, keys, versions,
-- servers, drift) tells listeners which table changed; instances drop their cached resolution.
CREATE FUNCTION "notify_resolution_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('toolgate_resolution', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;
CREATE TRIGGER "pins_notify" AFTER INSERT OR UPDATE OR DELETE ON "pins" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "grants_notify" AFTER INSERT OR UPDATE OR DELETE ON "grants" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "kill_switches_notify" AFTER INSERT OR UPDATE OR DELETE ON "kill_switches" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "agents_notify" AFTER INSERT OR UPDATE OR DELETE ON "agents" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "api_keys_notify" AFTER UPDATE OF "revoked_at", "expires_at" OR DELETE ON "api_keys" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "server_versions_notify" AFTER UPDATE ON "server_versions" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "servers_notify" AFTER UPDATE ON "servers" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();
CREATE TRIGGER "drift_incidents_notify" AFTER INSERT OR UPDATE ON "drift_incidents" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

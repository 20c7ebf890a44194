-- 2025-era gateway sessions shared by every instance (issue #20; decision 038). One row per Mcp-Session-Id,
-- written when the session is initialized and deleted when it is closed: what another instance needs to
-- re-create the session (the SDK server is fed the stored initialize again) and to check that a request is
-- the session's own (agent, the user a delegated token acted for, the endpoint). No credential is stored:
-- every request still authenticates with its own.
CREATE TABLE "gateway_sessions" (
  "id" UUID NOT NULL,
  "agent_id" UUID NOT NULL,
  -- "<issuer> <sub>" of the user the opening credential acted for; null when the agent acted for itself.
  "user_key" TEXT,
  -- The endpoint it was opened at (/mcp/servers/..., /mcp/bundles/...); null for /mcp.
  "endpoint_path" TEXT,
  "protocol_version" TEXT NOT NULL,
  "client_capabilities" JSONB NOT NULL,
  "client_info" JSONB NOT NULL,
  -- The level logging/setLevel last set; null until the client sets one.
  "log_level" TEXT,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  -- Written at most once a minute per session by the instance serving it; idle sessions are deleted by a job.
  "last_used_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "gateway_sessions_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "gateway_sessions_log_level_check" CHECK ("log_level" IN ('debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency')),
  CONSTRAINT "gateway_sessions_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "gateway_sessions_agent_id_idx" ON "gateway_sessions"("agent_id");
CREATE INDEX "gateway_sessions_last_used_at_idx" ON "gateway_sessions"("last_used_at");

-- Every deleted session (closed by its client, idle, or its agent deleted) is named to every instance, which
-- drops its copy, so no copy outlives the row.
CREATE FUNCTION "notify_gateway_session_deleted"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('toolgate_sessions', OLD."id"::text);
  RETURN NULL;
END;
$$;
CREATE TRIGGER "gateway_sessions_notify" AFTER DELETE ON "gateway_sessions" FOR EACH ROW EXECUTE FUNCTION "notify_gateway_session_deleted"();

-- Host patterns (issue #19, item 4; decision 035). Per entry, the owner's result-cache TTL for read-only,
-- idempotent tools (0 = off) and the window in which an idempotency key replays a write's first result
-- (0 = keys refused). Both shape the gateway's views: the servers trigger (migration 20261124400000_gateway)
-- already notifies on every UPDATE of "servers".
ALTER TABLE "servers"
  ADD COLUMN "result_cache_ttl_seconds" INTEGER NOT NULL DEFAULT 0,
  ADD COLUMN "idempotency_window_seconds" INTEGER NOT NULL DEFAULT 600,
  ADD CONSTRAINT "servers_result_cache_ttl_seconds_range" CHECK ("result_cache_ttl_seconds" BETWEEN 0 AND 300),
  ADD CONSTRAINT "servers_idempotency_window_seconds_range" CHECK ("idempotency_window_seconds" BETWEEN 0 AND 86400);

-- One row per (agent, idempotency key): the first call's arguments, and once it finished its result. The
-- primary key makes two concurrent calls with one key act once, across every gateway instance.
CREATE TABLE "idempotency_records" (
  "agent_id" UUID NOT NULL,
  "key" TEXT NOT NULL,
  "server_id" UUID NOT NULL,
  "tool" TEXT NOT NULL,
  "arguments_hash" TEXT NOT NULL,
  "status" TEXT NOT NULL DEFAULT 'running',
  "result" JSONB,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expires_at" TIMESTAMPTZ(3) NOT NULL,
  CONSTRAINT "idempotency_records_pkey" PRIMARY KEY ("agent_id", "key"),
  CONSTRAINT "idempotency_records_status_check" CHECK ("status" IN ('running', 'done')),
  CONSTRAINT "idempotency_records_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "idempotency_records_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "idempotency_records_expires_at_idx" ON "idempotency_records"("expires_at");

-- Agents (host identities), their API keys (hashes only) and their grants to servers.
CREATE TYPE "GrantStatus" AS ENUM ('pending', 'active', 'denied', 'revoked');

CREATE TABLE "agents" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "name" TEXT NOT NULL,
  "description" TEXT NOT NULL DEFAULT '',
  "team_id" UUID NOT NULL,
  "environment" "Environment" NOT NULL,
  "disabled" BOOLEAN NOT NULL DEFAULT false,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "agents_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "agents_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "agents_name_key" ON "agents"("name");

CREATE TABLE "api_keys" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "agent_id" UUID NOT NULL,
  "prefix" TEXT NOT NULL,
  "key_hash" TEXT NOT NULL,
  "label" TEXT NOT NULL DEFAULT '',
  "expires_at" TIMESTAMPTZ(3),
  "revoked_at" TIMESTAMPTZ(3),
  "last_used_at" TIMESTAMPTZ(3),
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "api_keys_hash_format" CHECK ("key_hash" ~ '^[0-9a-f]{64}$'),
  CONSTRAINT "api_keys_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys"("key_hash");
CREATE INDEX "api_keys_agent_id_idx" ON "api_keys"("agent_id");

CREATE TABLE "grants" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "agent_id" UUID NOT NULL,
  "server_id" UUID NOT NULL,
  "tools" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
  "expires_at" TIMESTAMPTZ(3),
  "status" "GrantStatus" NOT NULL,
  "requested_by_id" UUID,
  "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "decided_by_id" UUID,
  "decided_at" TIMESTAMPTZ(3),
  "decision_reason" TEXT,
  "revoked_at" TIMESTAMPTZ(3),
  CONSTRAINT "grants_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "grants_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE,
  CONSTRAINT "grants_server_id_fkey" FOREIGN KEY ("server_id") REFERENCES "servers"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "grants_agent_id_idx" ON "grants"("agent_id");
CREATE INDEX "grants_status_idx" ON "grants"("status");
-- One open (pending or active) grant per agent and server; a change revokes and re-grants.
CREATE UNIQUE INDEX "grants_one_open" ON "grants"("agent_id", "server_id") WHERE "status" IN ('pending', 'active');

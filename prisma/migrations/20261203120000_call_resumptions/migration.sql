-- A 2026-07-28 client's retry of a call waiting for input (decision 036) that reached another instance than the
-- one holding the call (decision 038, amended 2026-12-01): the instance that got the retry (B) records it here and
-- notifies its id; the holder (A, named by `holder`, the requestState's tag) claims the row, resumes the call as if
-- the retry had reached it, stores the outcome and notifies completion; B answers its client with that outcome and
-- deletes the row. No credential is stored: the identity B authenticated, as facts. What the client and the backend
-- sent is kept as JSON text (jsonb refuses a \u0000 escape, which JSON allows). Rows left behind (a B that died) are
-- deleted by the call-resumption-cleanup job.
CREATE TABLE "call_resumptions" (
  "id" UUID NOT NULL,
  -- The tag of the instance holding the suspended call (lib/gateway/instance-tag.ts).
  "holder" VARCHAR(8) NOT NULL,
  "request_state" TEXT NOT NULL,
  -- The AgentIdentity B authenticated: agentId, name, teamId, environment, keyId, expiresAt, via, scopes, onBehalfOf, toolsMode.
  "agent" JSONB NOT NULL,
  -- The endpoint the retry was addressed to; null for /mcp.
  "endpoint_path" TEXT,
  "tool" TEXT NOT NULL,
  "arguments" TEXT NOT NULL,
  "input_responses" TEXT,
  "correlation_id" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "claimed_at" TIMESTAMPTZ(3),
  -- The outcome: the call's result, or its JSON-RPC error ({code, message, data?}); then finished_at.
  "result" TEXT,
  "error" TEXT,
  "finished_at" TIMESTAMPTZ(3),
  CONSTRAINT "call_resumptions_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "call_resumptions_created_at_idx" ON "call_resumptions"("created_at");

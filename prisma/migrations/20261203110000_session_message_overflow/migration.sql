-- A client's cancel or answer that reaches another instance than the call it concerns is forwarded over
-- NOTIFY (decision 038), whose payload holds at most 8000 bytes. A larger one (a sampling result, a long
-- elicitation answer) is kept here and the notification names its row; the instance holding the session
-- reads it. Rows are deleted a few minutes later by the session-message-cleanup job, and with their session.
CREATE TABLE "gateway_session_messages" (
  "id" BIGSERIAL NOT NULL,
  "session_id" UUID NOT NULL,
  -- The client's JSON-RPC message as it sent it (text, so any JSON it sent is kept as is).
  "message" TEXT NOT NULL,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "gateway_session_messages_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "gateway_session_messages_session_id_fkey" FOREIGN KEY ("session_id") REFERENCES "gateway_sessions"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "gateway_session_messages_session_id_idx" ON "gateway_session_messages"("session_id");
CREATE INDEX "gateway_session_messages_created_at_idx" ON "gateway_session_messages"("created_at");

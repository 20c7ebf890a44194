-- A tool-call approval request raised by an agent acting for a user (RFC 8693 delegated token) names the
-- user: approvers see "user X via agent Y", and the approval is bound to that user as well as the agent.
ALTER TABLE "tool_call_approvals"
  ADD COLUMN "user_issuer" TEXT,
  ADD COLUMN "user_subject" TEXT,
  ADD COLUMN "user_name" TEXT;

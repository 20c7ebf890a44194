-- Which agent a token acts as: tokens of an issuer with this client_id (or sub, for service accounts).
CREATE TYPE "TokenSubjectKind" AS ENUM ('client_id', 'sub');

CREATE TABLE "token_bindings" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "issuer_id" UUID NOT NULL,
  "kind" "TokenSubjectKind" NOT NULL,
  "subject" TEXT NOT NULL,
  "agent_id" UUID NOT NULL,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "token_bindings_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "token_bindings_issuer_id_fkey" FOREIGN KEY ("issuer_id") REFERENCES "trusted_issuers"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "token_bindings_agent_id_fkey" FOREIGN KEY ("agent_id") REFERENCES "agents"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "token_bindings_issuer_id_kind_subject_key" ON "token_bindings"("issuer_id", "kind", "subject");
CREATE INDEX "token_bindings_agent_id_idx" ON "token_bindings"("agent_id");
-- Binding or unbinding drops cached token identities on every instance.
CREATE TRIGGER "token_bindings_notify" AFTER INSERT OR UPDATE OR DELETE ON "token_bindings" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

-- Authorization servers whose JWT access tokens the gateway and the registry accept (issue #17).
CREATE TABLE "trusted_issuers" (
  "id" UUID NOT NULL DEFAULT gen_random_uuid(),
  "issuer" TEXT NOT NULL,
  "display_name" TEXT NOT NULL,
  "jwks_uri" TEXT NOT NULL,
  "metadata_url" TEXT NOT NULL,
  "enabled" BOOLEAN NOT NULL DEFAULT true,
  "created_by_id" UUID,
  "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "trusted_issuers_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "trusted_issuers_issuer_key" ON "trusted_issuers"("issuer");
-- Disabling or removing an issuer drops cached token verifications on every instance.
CREATE TRIGGER "trusted_issuers_notify" AFTER INSERT OR UPDATE OR DELETE ON "trusted_issuers" FOR EACH STATEMENT EXECUTE FUNCTION "notify_resolution_change"();

-- A drift incident keeps the live definition the gateway saw (name, title, description, schemas,
-- annotations), so /drift can show certified against live text. Null when the live server no longer
-- declares the tool, and for incidents opened before this column (they only have hashes).
ALTER TABLE "drift_incidents" ADD COLUMN "live_definition" JSONB;

-- How the gateway authenticates to a server (decision 027): `static` sends the stored credential header
-- (what every server did before), `minted` a short-lived JWT Toolgate signs per request.
CREATE TYPE "UpstreamAuth" AS ENUM ('static', 'minted');
ALTER TABLE "servers" ADD COLUMN "upstream_auth" "UpstreamAuth" NOT NULL DEFAULT 'static';

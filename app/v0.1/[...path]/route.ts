import { NotFoundError } from "@/lib/errors";
import { registryPreflight, registryRoute } from "@/lib/registry/http";

// Anything else under /v0.1 answers like the API (JSON, CORS) rather than with the app's 404 page; the
// usual cause is a server name sent with a bare slash.
export const dynamic = "force-dynamic";

export const GET = registryRoute(async () => {
  throw new NotFoundError("No such registry endpoint. Send server names URL-encoded: /v0.1/servers/com.example%2Fcrm/versions.");
});

export const OPTIONS = registryPreflight;

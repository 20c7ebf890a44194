import { errorResponse } from "@/lib/http";
import { metricsText } from "@/lib/observability/metrics";
import { authorizeScrape } from "@/lib/observability/scrape-access";

// Prometheus scrapes this without a session (proxy.ts lets it through): when TOOLGATE_METRICS_TOKEN is
// set it needs `Authorization: Bearer <token>`, when unset it is open (lib/observability/scrape-access.ts).
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export async function GET(request: Request) {
  try {
    authorizeScrape(request.headers.get("authorization"));
    const { contentType, body } = await metricsText();
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}

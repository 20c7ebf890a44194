import { errorResponse } from "@/lib/http";
import { metricsText } from "./metrics";
import { authorizeScrape } from "./scrape-access";

/**
 * The Prometheus endpoint as a route handler. Scrapers do not sign in: with TOOLGATE_METRICS_TOKEN set it
 * needs `Authorization: Bearer <token>`, unset it is open (./scrape-access.ts).
 */
export async function serveMetricsRequest(request: Request): Promise<Response> {
  try {
    authorizeScrape(request.headers.get("authorization"));
    const { contentType, body } = await metricsText();
    return new Response(body, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  } catch (error) {
    return errorResponse(error);
  }
}

import { serveMetricsRequest } from "@/lib/observability/endpoint";

// Prometheus scrapes this without a session (proxy.ts lets it through). In production the app's front
// server answers it (lib/runtime/app-server.ts), where the gateway's counters are; this serves `next dev`.
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

export { serveMetricsRequest as GET };

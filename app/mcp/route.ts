import { serveGatewayRequest } from "@/lib/gateway/http";

// The gateway: one MCP endpoint for every agent (see lib/gateway/http.ts). In production the app's
// front server answers it before Next.js (lib/runtime/app-server.ts); this serves it under `next dev`.
export const dynamic = "force-dynamic";

export { serveGatewayRequest as DELETE, serveGatewayRequest as GET, serveGatewayRequest as POST };

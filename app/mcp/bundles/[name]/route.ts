import { serveGatewayRequest } from "@/lib/gateway/http";

// The gateway narrowed to one bundle (lib/gateway/endpoints.ts); the front server answers it in production, as /mcp.
export const dynamic = "force-dynamic";

export { serveGatewayRequest as DELETE, serveGatewayRequest as GET, serveGatewayRequest as POST };

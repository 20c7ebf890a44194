import { correlationIdFor, handleGatewayRequest } from "@/lib/gateway/http";

// The gateway: one MCP endpoint for every agent (see lib/gateway/http.ts).
export const dynamic = "force-dynamic";

function serve(request: Request): Promise<Response> {
  return handleGatewayRequest(request, correlationIdFor(request));
}

export { serve as DELETE, serve as GET, serve as POST };

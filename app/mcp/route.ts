import { randomUUID } from "node:crypto";
import { handleGatewayRequest } from "@/lib/gateway/http";

// The gateway: one MCP endpoint for every agent (see lib/gateway/http.ts).
export const dynamic = "force-dynamic";

function serve(request: Request): Promise<Response> {
  return handleGatewayRequest(request, request.headers.get("x-correlation-id") ?? randomUUID());
}

export { serve as DELETE, serve as GET, serve as POST };

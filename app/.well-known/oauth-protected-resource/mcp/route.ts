import { NextResponse } from "next/server";
import { publicBase } from "@/lib/net/public-origin";

// RFC 9728 Protected Resource Metadata for the gateway endpoint: agents authenticate with an API key
// sent as a bearer token; no authorization server issues tokens for it yet.
export function GET(request: Request) {
  const base = publicBase(request.url);
  return NextResponse.json({
    resource: new URL("/mcp", base).toString(),
    authorization_servers: [],
    bearer_methods_supported: ["header"],
    resource_name: "Toolgate gateway",
    resource_documentation: new URL("/api/v1/openapi.json", base).toString(),
  });
}

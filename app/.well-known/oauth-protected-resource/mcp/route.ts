import { NextResponse } from "next/server";
import { protectedResourceMetadata } from "@/lib/identity/resource";

// RFC 9728 Protected Resource Metadata for the gateway endpoint: the authorization servers whose
// access tokens it accepts (the enabled trusted issuers) and its scopes; API keys work beside them.
export async function GET(request: Request) {
  return NextResponse.json(await protectedResourceMetadata(request.url));
}

import { NextResponse } from "next/server";
import { errorResponse } from "@/lib/http";
import { publicBase } from "@/lib/net/public-origin";
import { withRegistryRequestUrl } from "./request-url";
import { RegistryAuthError, RegistryForbiddenError } from "./viewer";

// What every registry response carries: CORS for browser-based hosts (the API is read-only and
// authenticated by a bearer key, never a cookie, so any origin may read it), no caching of answers that
// depend on who asks, and for a 401 (or a token's 403 for a missing scope) the Bearer challenge.

export const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Expose-Headers": "WWW-Authenticate",
  "Access-Control-Max-Age": "86400",
} as const;

function withRegistryHeaders(response: NextResponse): NextResponse {
  for (const [name, value] of Object.entries(corsHeaders)) response.headers.set(name, value);
  response.headers.set("Cache-Control", "no-store");
  response.headers.set("Vary", "Authorization");
  return response;
}

/** OPTIONS: the CORS preflight. */
export function registryPreflight(): NextResponse {
  return withRegistryHeaders(new NextResponse(null, { status: 204 }));
}

/** A registry GET handler: JSON body or `{ error, code }` with its status, CORS on either. */
export function registryRoute<P extends Record<string, string | string[]>>(handle: (request: Request, params: Partial<P>) => Promise<unknown>) {
  return async (request: Request, context: { params: Promise<P> }) => {
    try {
      const params = await context.params;
      return withRegistryHeaders(NextResponse.json(await withRegistryRequestUrl(request.url, () => handle(request, params))));
    } catch (error) {
      const response = errorResponse(error);
      if ((error instanceof RegistryAuthError || error instanceof RegistryForbiddenError) && error.challenge) response.headers.set("WWW-Authenticate", error.challenge);
      return withRegistryHeaders(response);
    }
  };
}

/** Toolgate's public origin, which registry entries point hosts at (the one rule: lib/net/public-origin.ts). */
export function publicBaseUrl(request: Request): string {
  return publicBase(request.url).origin;
}

import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";
import type { AuditAction } from "@/lib/audit/actions";
import { auditRefusedRequest } from "@/lib/auth/request-refusal";
import { errorCodes, type ErrorStatus } from "@/lib/errors";
import { bodyLimitRefusal } from "@/lib/net/body-limit";
import { correlationHeader, correlationIdFrom } from "@/lib/net/correlation-id";
import { crossSiteRefusal, requestOrigin } from "@/lib/net/cross-site";
import { forwardedHostTrusted } from "@/lib/net/public-origin";
import { replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import { env } from "@/lib/config/env";

// Paths anyone may reach; everything else needs a session (pages redirect, APIs answer 401).
const publicPaths = [
  /^\/signin$/,
  /^\/api\/auth\//,
  /^\/api\/health$/,
  /^\/api\/ready$/,
  // Prometheus does not sign in; the route checks TOOLGATE_METRICS_TOKEN itself.
  /^\/api\/metrics$/,
  /^\/api\/v1\/openapi\.json$/,
  /^\/\.well-known\/toolgate-signing-keys$/,
  // Backends of `minted` servers fetch the keys that verify Toolgate's tokens (decision 027).
  /^\/\.well-known\/jwks\.json$/,
  /^\/api\/v1\/manifests\/verify$/,
  // Signed audit checkpoints, for outsiders to copy (decision 041).
  /^\/api\/v1\/audit\/checkpoints$/,
  /^\/verify$/,
  /^\/mcp$/,
  // One gateway endpoint per catalog entry and per bundle (lib/gateway/endpoints.ts).
  /^\/mcp\/(?:servers|bundles)\//,
  /^\/\.well-known\/oauth-protected-resource\/mcp$/,
  // The MCP registry API authenticates hosts with agent keys, not sessions.
  /^\/v0\.1\//,
];

// Paths that use no cookie, so a page on another site gains nothing by posting to them: a host's
// own browser-based tools may call them from anywhere.
const crossOriginPaths = [/^\/api\/v1\/manifests\/verify$/, /^\/v0\.1\//];

type Token = { uid?: string; email?: string | null } | null;

async function refuse(request: NextRequest, token: Token, refusal: { action: AuditAction; status: ErrorStatus; reason: string }, correlationId: string) {
  const { pathname } = request.nextUrl;
  await auditRefusedRequest(refusal.action, {
    person: token,
    method: request.method,
    pathname: replaceUnsafeCharacters(pathname),
    reason: refusal.reason,
    correlationId,
    details: { origin: request.headers.get("origin"), secFetchSite: request.headers.get("sec-fetch-site") },
  });
  return NextResponse.json({ error: refusal.reason, code: errorCodes[refusal.status] }, { status: refusal.status, headers: { [correlationHeader]: correlationId } });
}

export async function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  const correlationId = correlationIdFrom(headers);
  headers.set(correlationHeader, correlationId);
  // X-Forwarded-Host is the client's say-so unless a trusted proxy sets it; Next.js compares a server
  // action's Origin with it before Host, so an untrusted one must not reach Next.js at all.
  if (!forwardedHostTrusted()) headers.delete("x-forwarded-host");
  const { pathname, search } = request.nextUrl;
  const isPublic = publicPaths.some((p) => p.test(pathname));
  const token = await getToken({ req: request, secret: env("NEXTAUTH_SECRET") });

  if (!crossOriginPaths.some((p) => p.test(pathname))) {
    const crossSite = crossSiteRefusal(request.method, request.headers, requestOrigin(request.headers, request.nextUrl.protocol.replace(":", "")));
    if (crossSite) return refuse(request, token, { action: "request.cross-site", status: 403, reason: crossSite }, correlationId);
  }
  const tooLarge = bodyLimitRefusal(pathname, request.headers, token !== null);
  if (tooLarge) return refuse(request, token, { action: "request.too-large", status: tooLarge.status, reason: tooLarge.message }, correlationId);

  if (!isPublic && !token) {
    if (pathname.startsWith("/api/")) return NextResponse.json({ error: "Sign in first.", code: errorCodes[401] }, { status: 401 });
    const signIn = new URL("/signin", request.url);
    signIn.searchParams.set("callbackUrl", pathname + search);
    return NextResponse.redirect(signIn);
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // The gateway's endpoints authenticate agents themselves and are on the hot path, so the proxy skips them.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|mcp$|mcp/|.*\\.(?:svg|png|ico)$).*)"],
};

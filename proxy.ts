import { getToken } from "next-auth/jwt";
import { type NextRequest, NextResponse } from "next/server";
import { correlationHeader } from "@/lib/request-context";

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
  /^\/api\/v1\/manifests\/verify$/,
  /^\/verify$/,
  /^\/mcp$/,
  /^\/\.well-known\/oauth-protected-resource\/mcp$/,
  // The MCP registry API authenticates hosts with agent keys, not sessions.
  /^\/v0\.1\//,
];

export async function proxy(request: NextRequest) {
  const headers = new Headers(request.headers);
  // A caller's own correlation id is kept for tracing if it is a plain token; anything else is replaced.
  if (!/^[\w.:-]{1,100}$/.test(headers.get(correlationHeader) ?? "")) headers.set(correlationHeader, crypto.randomUUID());
  const { pathname, search } = request.nextUrl;
  if (!publicPaths.some((p) => p.test(pathname))) {
    const token = await getToken({ req: request, secret: process.env.NEXTAUTH_SECRET });
    if (!token) {
      if (pathname.startsWith("/api/")) return NextResponse.json({ error: "Sign in first." }, { status: 401 });
      const signIn = new URL("/signin", request.url);
      signIn.searchParams.set("callbackUrl", pathname + search);
      return NextResponse.redirect(signIn);
    }
  }
  return NextResponse.next({ request: { headers } });
}

export const config = {
  // The gateway endpoint authenticates agents itself and is on the hot path, so the proxy skips it.
  matcher: ["/((?!_next/static|_next/image|favicon.ico|mcp$|.*\\.(?:svg|png|ico)$).*)"],
};

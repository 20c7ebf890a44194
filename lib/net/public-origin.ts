import { env, type RawEnv } from "@/lib/config/env";

// Which hosts and origins are this app's own. One answer serves the browser-facing checks (the
// cross-site request check in proxy.ts) and the gateway's DNS-rebinding checks (lib/gateway/http.ts):
// - the origin of NEXTAUTH_URL (the public URL people and hosts use), else the request's own;
// - when that URL names a loopback host, its loopback aliases on the same port (localhost, 127.0.0.1
//   and [::1] are one machine, and people type either);
// - the extra names an operator lists in TOOLGATE_GATEWAY_ALLOWED_HOSTS (host or host:port).
// A client's X-Forwarded-Host says nothing about this unless TOOLGATE_TRUST_PROXY says a reverse proxy
// in front sets it (see forwardedHostTrusted).

const loopbackNames = ["localhost", "127.0.0.1", "[::1]"];

/** Whether X-Forwarded-* headers come from a trusted reverse proxy (TOOLGATE_TRUST_PROXY); an invalid setting trusts nothing. */
export function forwardedHostTrusted(raw?: RawEnv): boolean {
  try {
    return env("TOOLGATE_TRUST_PROXY", raw);
  } catch {
    return false;
  }
}

/**
 * The public base URL, the one rule for every link Toolgate hands out (gateway, registry, metadata):
 * NEXTAUTH_URL when set (the address people and hosts use, also behind a proxy), else the origin the
 * request came to.
 */
export function publicBase(requestUrl: string, raw?: RawEnv): URL {
  return new URL(env("NEXTAUTH_URL", raw) ?? new URL(requestUrl).origin);
}

function isLoopbackName(hostname: string): boolean {
  return loopbackNames.includes(hostname);
}

/** The hosts (host[:port], as in a Host header or URL.host) of the public URL with its loopback aliases. */
function hostsOf(base: URL): string[] {
  if (!isLoopbackName(base.hostname)) return [base.host];
  return loopbackNames.map((name) => (base.port ? `${name}:${base.port}` : name));
}

let hostsMemo: { base: string; extra: readonly string[]; hosts: ReadonlySet<string> } | undefined;

/** Every host this app answers as; worked out again only when the settings it comes from change. */
export function ownHosts(requestUrl: string, raw?: RawEnv): ReadonlySet<string> {
  // Asked on every gateway request: the request's URL is parsed only when NEXTAUTH_URL is unset.
  const base = env("NEXTAUTH_URL", raw) ?? new URL(requestUrl).origin;
  const extra = env("TOOLGATE_GATEWAY_ALLOWED_HOSTS", raw);
  if (hostsMemo?.base !== base || hostsMemo.extra !== extra) {
    hostsMemo = { base, extra, hosts: new Set([...hostsOf(new URL(base)), ...extra]) };
  }
  return hostsMemo.hosts;
}

/** Whether a Host header names this app. */
export function isOwnHost(host: string | null, requestUrl: string, raw?: RawEnv): boolean {
  return host !== null && ownHosts(requestUrl, raw).has(host.toLowerCase());
}

/** Whether an Origin header is this app's own: an http(s) origin whose host is one of ownHosts. */
export function isOwnOrigin(origin: string | null, requestUrl: string, raw?: RawEnv): boolean {
  if (!origin || !URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return ownHosts(requestUrl, raw).has(url.host);
}

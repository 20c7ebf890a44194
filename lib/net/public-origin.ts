import { z } from "zod";

// Which hosts and origins are this app's own. One answer serves the browser-facing checks (the
// cross-site request check in proxy.ts) and the gateway's DNS-rebinding checks (lib/gateway/http.ts):
// - the origin of NEXTAUTH_URL (the public URL people and hosts use), else the request's own;
// - when that URL names a loopback host, its loopback aliases on the same port (localhost, 127.0.0.1
//   and [::1] are one machine, and people type either);
// - the extra names an operator lists in TOOLGATE_GATEWAY_ALLOWED_HOSTS (host or host:port).
// A client's X-Forwarded-Host says nothing about this unless TOOLGATE_TRUST_PROXY says a reverse proxy
// in front sets it (see forwardedHostTrusted).

const loopbackNames = ["localhost", "127.0.0.1", "[::1]"];

/** TOOLGATE_TRUST_PROXY: true when a reverse proxy in front of Toolgate sets X-Forwarded-Host/-Proto/-For. */
export const trustProxySchema = z.stringbool({ error: "TOOLGATE_TRUST_PROXY must be true or false." }).default(false);

type Env = Record<string, string | undefined>;

let trustMemo: { raw: string | undefined; trusted: boolean } | undefined;

/** Whether X-Forwarded-* headers come from a trusted reverse proxy; an invalid setting trusts nothing. */
export function forwardedHostTrusted(env: Env = process.env): boolean {
  const raw = env.TOOLGATE_TRUST_PROXY;
  if (!trustMemo || trustMemo.raw !== raw) trustMemo = { raw, trusted: trustProxySchema.safeParse(raw).data ?? false };
  return trustMemo.trusted;
}

/** The public base URL: NEXTAUTH_URL when set, else the URL the request came in on (only its origin counts). */
export function publicBase(requestUrl: string, env: Env = process.env): URL {
  return new URL(env.NEXTAUTH_URL || requestUrl);
}

function isLoopbackName(hostname: string): boolean {
  return loopbackNames.includes(hostname);
}

/** The hosts (host[:port], as in a Host header or URL.host) of the public URL with its loopback aliases. */
function hostsOf(base: URL): string[] {
  if (!isLoopbackName(base.hostname)) return [base.host];
  return loopbackNames.map((name) => (base.port ? `${name}:${base.port}` : name));
}

let hostsMemo: { key: string; hosts: ReadonlySet<string> } | undefined;

/** Every host this app answers as; worked out again only when the settings it comes from change. */
export function ownHosts(requestUrl: string, env: Env = process.env): ReadonlySet<string> {
  // Asked on every gateway request: the request's URL is parsed only when NEXTAUTH_URL is unset.
  const key = `${env.NEXTAUTH_URL || new URL(requestUrl).origin} ${env.TOOLGATE_GATEWAY_ALLOWED_HOSTS ?? ""}`;
  if (hostsMemo?.key !== key) {
    const extra = (env.TOOLGATE_GATEWAY_ALLOWED_HOSTS ?? "").split(",").map((host) => host.trim().toLowerCase()).filter(Boolean);
    hostsMemo = { key, hosts: new Set([...hostsOf(publicBase(requestUrl, env)), ...extra]) };
  }
  return hostsMemo.hosts;
}

/** Whether a Host header names this app. */
export function isOwnHost(host: string | null, requestUrl: string, env: Env = process.env): boolean {
  return host !== null && ownHosts(requestUrl, env).has(host.toLowerCase());
}

/** Whether an Origin header is this app's own: an http(s) origin whose host is one of ownHosts. */
export function isOwnOrigin(origin: string | null, requestUrl: string, env: Env = process.env): boolean {
  if (!origin || !URL.canParse(origin)) return false;
  const url = new URL(origin);
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  return ownHosts(requestUrl, env).has(url.host);
}

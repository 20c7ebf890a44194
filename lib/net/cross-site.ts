import { forwardedHostTrusted, isOwnOrigin } from "./public-origin";

// Cross-site request forgery: a page on another site can make a signed-in person's browser send a
// state-changing request with their cookie (a form post, or a no-cors fetch with a "simple" content
// type). Browsers say where such a request comes from: Origin on every POST, Sec-Fetch-Site on every
// request. A state-changing request is refused unless its Origin is this app's own (lib/net/public-origin)
// or, without an Origin, its Sec-Fetch-Site is same-origin or none (typed by the person). A request
// with neither header did not come from a browser page, so no cookie was lent to a stranger: it is
// judged by its credentials alone (the approach of Go's http.CrossOriginProtection).

const safeMethods = new Set(["GET", "HEAD", "OPTIONS"]);
const ownFetchSites = new Set(["same-origin", "none"]);

/** The URL the request came in on, by the Host header, or X-Forwarded-Host/-Proto from a trusted proxy. */
export function requestOrigin(headers: Headers, fallbackProtocol = "http"): string {
  const trusted = forwardedHostTrusted();
  const first = (name: string) => headers.get(name)?.split(",", 1)[0]?.trim() || undefined;
  const host = (trusted && first("x-forwarded-host")) || headers.get("host") || "localhost";
  const protocol = (trusted && first("x-forwarded-proto")) || fallbackProtocol;
  return `${protocol}://${host}`;
}

/** Why a request is refused as cross-site, or null when it may go on. */
export function crossSiteRefusal(method: string, headers: Headers, requestUrl: string): string | null {
  if (safeMethods.has(method.toUpperCase())) return null;
  const origin = headers.get("origin");
  if (origin !== null) return isOwnOrigin(origin, requestUrl) ? null : `Origin ${origin.slice(0, 200)} is not this app's own.`;
  const site = headers.get("sec-fetch-site");
  if (site !== null && !ownFetchSites.has(site)) return `A ${site.slice(0, 50)} request (Sec-Fetch-Site) may not change anything here.`;
  return null;
}

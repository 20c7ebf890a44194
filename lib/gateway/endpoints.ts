import { z } from "zod";

// The gateway's endpoints (docs/decisions/033-endpoints-per-entry-and-bundle.md): `/mcp` serves all the
// agent's tools, server-prefixed (./namespacing.ts); `/mcp/servers/{name}` one catalog entry's, as the
// registry API names it (URL-encoded, so com.example/crm is com.example%2Fcrm), and `/mcp/bundles/{name}`
// one bundle's (lib/bundles). Every endpoint goes through the same edge, checks and audit; only the
// agent's view is narrowed (./endpoint-view.ts).

export type GatewayEndpoint = { kind: "server"; name: string; path: string } | { kind: "bundle"; name: string; path: string };

export type EndpointParse = { endpoint: GatewayEndpoint | null } | { refusal: string };

const serverPrefix = "/mcp/servers/";
const bundlePrefix = "/mcp/bundles/";

// The catalog's own rule for entry names (lib/catalog/schemas.ts), untrimmed: a name is taken as sent or refused.
// A part that is only dots (`..%2Fadmin`) is refused even where that rule would let it through.
const serverName = z
  .string()
  .min(3)
  .max(200)
  .regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/)
  .refine((name) => name.split("/").every((part) => !/^\.+$/.test(part)));
/** A bundle's name: lower-case words joined by hyphens, as "support-desk". */
export const bundleNamePattern = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const bundleName = z.string().regex(bundleNamePattern);

/** Whether an HTTP path is one the gateway serves (the front server routes these to it). */
export function isGatewayPath(path: string): boolean {
  return path === "/mcp" || path.startsWith(serverPrefix) || path.startsWith(bundlePrefix);
}

const wholeGateway: EndpointParse = { endpoint: null };

// The edge's URLs are absolute and already normalised (WHATWG URL): the path runs from the first "/" after
// the authority to any query or fragment. Sliced rather than parsed again, as /mcp takes this on every call.
function pathOf(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return "/";
  const end = url.slice(start).search(/[?#]/);
  return end < 0 ? url.slice(start) : url.slice(start, start + end);
}

function decoded(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** A name cut down to what can be shown in a refusal: printable ASCII, at most 100 characters. */
export function shownName(raw: string): string {
  const printable = raw.replace(/[^\x20-\x7e]/g, "?");
  return printable.length > 100 ? `${printable.slice(0, 99)}…` : printable;
}

/**
 * The endpoint a request's URL names: null for `/mcp`, or why the path names none. The name is one path
 * segment, decoded once, and must be a catalog entry's or bundle's name as it stands: no control
 * characters, no `..`, no second segment.
 */
export function endpointOf(url: string): EndpointParse {
  const path = pathOf(url);
  if (path === "/mcp") return wholeGateway;
  const kind = path.startsWith(serverPrefix) ? "server" : path.startsWith(bundlePrefix) ? "bundle" : null;
  if (!kind) return { refusal: `${shownName(path)} is not a gateway endpoint: use /mcp, /mcp/servers/{name} or /mcp/bundles/{name}.` };
  const segment = path.slice(kind === "server" ? serverPrefix.length : bundlePrefix.length);
  const name = segment.includes("/") ? null : decoded(segment);
  const valid = name !== null && (kind === "server" ? serverName : bundleName).safeParse(name).success;
  if (!valid) {
    const rule = kind === "server" ? "a catalog entry's name, URL-encoded, as com.example%2Fcrm" : "a bundle's name, as support-desk";
    return { refusal: `${shownName(decoded(segment) ?? segment)} is not ${rule}.` };
  }
  return { endpoint: { kind, name, path: `${kind === "server" ? serverPrefix : bundlePrefix}${encodeURIComponent(name)}` } };
}

/** The URL of an entry's own endpoint under Toolgate's public base (no trailing slash). */
export function serverEndpointUrl(baseUrl: string, name: string): string {
  return `${baseUrl}${serverPrefix}${encodeURIComponent(name)}`;
}

/** The URL of a bundle's endpoint under Toolgate's public base. */
export function bundleEndpointUrl(baseUrl: string, name: string): string {
  return `${baseUrl}${bundlePrefix}${encodeURIComponent(name)}`;
}

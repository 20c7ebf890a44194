import { z } from "zod";
import { ValidationError } from "@/lib/errors";
import { listQuery, type ListQuery, officialNamePattern, versionsQuery, versionText } from "./contract";
import { parseInput } from "@/lib/validation";
import { hasUnsafeCharacters } from "@/lib/text/unsafe-text";

// Everything a registry request says, checked where it enters: the query, the opaque cursor and the
// server name and version in the path (URL-encoded, `com.example%2Fcrm`).

/**
 * Where a page ended: the last server name and version on it. Bundles are listed after the catalog's
 * entries (lib/registry/bundles.ts): a cursor among them says so, and names nothing yet at their start.
 */
export interface Cursor {
  name: string;
  version: string;
  bundles?: true;
}

const cursorShape = z.union([
  z.tuple([z.string().regex(officialNamePattern).max(200), versionText]),
  z.tuple([z.literal("bundles"), z.union([z.literal(""), z.string().regex(officialNamePattern).max(200)]), z.union([z.literal(""), versionText])]),
]);
const invalidCursor = "The cursor is not one this registry issued; start again without it.";

/** Opaque to clients: base64url of the last (name, version) shown. */
export function encodeCursor(cursor: Cursor): string {
  const tuple = cursor.bundles ? ["bundles", cursor.name, cursor.version] : [cursor.name, cursor.version];
  return Buffer.from(JSON.stringify(tuple)).toString("base64url");
}

export function decodeCursor(text: string): Cursor {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw new ValidationError(invalidCursor, { cursor: [invalidCursor] });
  try {
    const parsed = cursorShape.parse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    return parsed.length === 3 ? { name: parsed[1], version: parsed[2], bundles: true } : { name: parsed[0], version: parsed[1] };
  } catch {
    throw new ValidationError(invalidCursor, { cursor: [invalidCursor] });
  }
}

export type RegistryListQuery = Omit<ListQuery, "cursor"> & { cursor?: Cursor };

export function parseListQuery(query: Record<string, string>): RegistryListQuery {
  const { cursor, ...rest } = parseInput(listQuery, query);
  return { ...rest, cursor: cursor === undefined ? undefined : decodeCursor(cursor) };
}

export function parseVersionsQuery(query: Record<string, string>) {
  return parseInput(versionsQuery, query);
}

const nameExample = "Server names look like com.example/crm and are sent URL-encoded: com.example%2Fcrm.";

function refuse(field: string, message: string): never {
  throw new ValidationError(message, { [field]: [message] });
}

// Decoded exactly once: whatever is still encoded after that was encoded twice, and is refused.
function decodeOnce(field: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    refuse(field, `The ${field === "serverName" ? "server name" : "version"} is not valid URL encoding.`);
  }
}

/** A server name from the path, decoded: refused (400) when it could reach anything but a name lookup. */
function checkServerName(name: string): string {
  if (hasUnsafeCharacters(name, { singleLine: true })) refuse("serverName", "The server name must not contain control characters.");
  if (name.includes("%")) refuse("serverName", `The server name is encoded more than once. ${nameExample}`);
  if (name.includes("..") || name.includes("\\")) refuse("serverName", `The server name must not contain "..". ${nameExample}`);
  if (name.length > 200 || !officialNamePattern.test(name)) refuse("serverName", nameExample);
  return name;
}

export function checkVersion(version: string): string {
  if (hasUnsafeCharacters(version, { singleLine: true })) refuse("version", "The version must not contain control characters.");
  if (version.includes("%")) refuse("version", "The version is encoded more than once.");
  const parsed = versionText.safeParse(version);
  if (!parsed.success) refuse("version", parsed.error.issues[0]!.message);
  return version;
}

const registryPath = /^\/v0\.1\/servers\/([^/]+)\/versions(?:\/([^/]+))?\/?$/;

/**
 * The server name (and version) a request names. Next.js decodes a dynamic segment once before it
 * reaches `params`, but not every deployment path does; so the raw segments are read from the request
 * URL and decoded exactly once here, and `params` (already decoded) is the fallback when the URL does
 * not have the registry's shape (a rewrite). Either way `com.example%2Fcrm` means `com.example/crm`,
 * and `com.example%252Fcrm` (encoded twice) is refused.
 */
export function pathNames(requestUrl: string, params: { serverName?: string; version?: string }): { serverName: string; version?: string } {
  const raw = registryPath.exec(new URL(requestUrl).pathname);
  const serverName = raw ? decodeOnce("serverName", raw[1]!) : params.serverName;
  const version = raw ? (raw[2] === undefined ? undefined : decodeOnce("version", raw[2])) : params.version;
  if (serverName === undefined) refuse("serverName", nameExample);
  return { serverName: checkServerName(serverName), ...(version === undefined ? {} : { version: checkVersion(version) }) };
}

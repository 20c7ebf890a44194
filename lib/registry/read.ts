import semver from "semver";
import { likeLiteral } from "@/lib/db/like";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import type { Prisma } from "@/lib/generated/prisma/client";
import { activeKillSwitches } from "@/lib/killswitch/switches";
import { defaultPageSize, type ServerList, type ServerResponse } from "./contract";
import { encodeCursor, type RegistryListQuery } from "./params";
import { listedStatuses, type RegistryVersionRow, registryVersionSelect, updatedAtOf, updatedSinceWhere } from "./rows";
import { type BundleEntryRow, bundleEntry, bundleOfEntryName, visibleBundleRows } from "./bundles";
import { registryEntry } from "./server-json";
import type { RegistryViewer } from "./viewer";

// The registry's reads. Pages are keyset-paginated on (server name, version): a cursor names the last
// entry shown and the next page starts strictly after it, so entries added or certified between two
// fetches never shift a page, and none is shown twice.

/** The versions this viewer may see at all. */
function visibleWhere(viewer: RegistryViewer): Prisma.ServerVersionWhereInput {
  return {
    status: { in: [...listedStatuses] },
    ...(viewer.kind === "agent" ? { pins: { some: { environment: viewer.agent.environment } } } : {}),
    ...(viewer.kind === "agent" && viewer.serverIds ? { serverId: { in: viewer.serverIds } } : {}),
  };
}

type VersionKey = { id: string; serverId: string; version: string; status: string };

function newestFirst(a: { version: string }, b: { version: string }): number {
  if (semver.valid(a.version) && semver.valid(b.version)) return semver.rcompare(a.version, b.version);
  return b.version < a.version ? -1 : b.version > a.version ? 1 : 0;
}

/**
 * Each server's latest version among those given: the newest certified one, or the newest deprecated
 * one when nothing certified is left (a deprecated version is a way out, not a recommendation).
 */
function latestIds(versions: readonly VersionKey[]): Set<string> {
  const best = new Map<string, VersionKey>();
  for (const candidate of versions) {
    const current = best.get(candidate.serverId);
    const better =
      !current ||
      (candidate.status === "certified" && current.status !== "certified") ||
      (candidate.status === current.status && newestFirst(candidate, current) < 0);
    if (better) best.set(candidate.serverId, candidate);
  }
  return new Set([...best.values()].map((version) => version.id));
}

async function latestVisibleIds(viewer: RegistryViewer, serverIds: string[]): Promise<Set<string>> {
  if (serverIds.length === 0) return new Set();
  const versions = await db().serverVersion.findMany({
    where: { ...visibleWhere(viewer), serverId: { in: serverIds } },
    select: { id: true, serverId: true, version: true, status: true },
  });
  return latestIds(versions);
}

async function entries(rows: RegistryVersionRow[], viewer: RegistryViewer, baseUrl: string, latest: Set<string>): Promise<ServerResponse[]> {
  const switches = rows.length ? await activeKillSwitches() : [];
  return rows.map((row) => registryEntry(row, { baseUrl, viewer, isLatest: latest.has(row.id), switches }));
}

function page(rows: RegistryVersionRow[], limit: number): { shown: RegistryVersionRow[]; nextCursor?: string } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return rows.length > limit && last ? { shown, nextCursor: encodeCursor({ name: last.server.name, version: last.version }) } : { shown };
}

const nameSearch = (search: string | undefined): Prisma.ServerWhereInput => (search ? { name: { contains: likeLiteral(search), mode: "insensitive" } } : {});

/** GET /v0.1/servers: every visible version (or each server's latest, or one exact version), a page at a time; then the bundles'. */
export async function listServers(viewer: RegistryViewer, query: RegistryListQuery, baseUrl: string): Promise<ServerList> {
  const limit = query.limit ?? defaultPageSize;
  const servers: ServerResponse[] = [];
  if (!query.cursor?.bundles) {
    const rows = query.version === "latest" ? await latestRows(viewer, query, limit + 1) : await versionRows(viewer, query, limit + 1);
    const { shown, nextCursor } = page(rows, limit);
    const latest = query.version === "latest" ? new Set(shown.map((row) => row.id)) : await latestVisibleIds(viewer, [...new Set(shown.map((row) => row.server.id))]);
    servers.push(...(await entries(shown, viewer, baseUrl, latest)));
    if (nextCursor) return { servers, metadata: { nextCursor, count: servers.length } };
  }
  // The catalog's entries are all listed: the viewer's bundles fill the rest of the page.
  const room = limit - servers.length;
  const bundles = bundlesAfter(await visibleBundleRows(viewer), query);
  const shown = bundles.slice(0, room);
  servers.push(...shown.map((row) => bundleEntry(row, baseUrl)));
  const last = shown.at(-1);
  const nextCursor = bundles.length > room ? encodeCursor({ name: last?.name ?? "", version: last?.version ?? "", bundles: true }) : undefined;
  return { servers, metadata: { ...(nextCursor ? { nextCursor } : {}), count: servers.length } };
}

/** The bundle entries the query asks for, after its cursor, in name and number order. */
function bundlesAfter(rows: BundleEntryRow[], query: RegistryListQuery): BundleEntryRow[] {
  const search = query.search?.toLowerCase();
  const { cursor } = query;
  const after = cursor?.bundles && cursor.name ? { name: cursor.name, number: Number.parseInt(cursor.version, 10) } : null;
  return rows.filter((row) => {
    if (search && !row.name.toLowerCase().includes(search)) return false;
    if (query.version === "latest" ? !row.isLatest : query.version !== undefined && row.version !== query.version) return false;
    if (query.updated_since && row.decidedAt < query.updated_since) return false;
    return !after || row.name > after.name || (row.name === after.name && row.number > after.number);
  });
}

async function versionRows(viewer: RegistryViewer, query: RegistryListQuery, take: number): Promise<RegistryVersionRow[]> {
  const { cursor } = query;
  const and: Prisma.ServerVersionWhereInput[] = [visibleWhere(viewer), { server: nameSearch(query.search) }];
  if (query.version) and.push({ version: query.version });
  if (query.updated_since) and.push(updatedSinceWhere(query.updated_since));
  if (cursor) and.push({ OR: [{ server: { name: { gt: cursor.name } } }, { server: { name: cursor.name }, version: { gt: cursor.version } }] });
  return db().serverVersion.findMany({
    where: { AND: and },
    select: registryVersionSelect,
    orderBy: [{ server: { name: "asc" } }, { version: "asc" }],
    take,
  });
}

/**
 * Each server's latest visible version, servers in name order. Which version is latest is decided
 * here rather than in SQL (semantic-version order), so servers are read in batches until the page is
 * full; updated_since then applies to the latest version itself, as the official registry does.
 */
async function latestRows(viewer: RegistryViewer, query: RegistryListQuery, take: number): Promise<RegistryVersionRow[]> {
  const found: RegistryVersionRow[] = [];
  let after = query.cursor?.name;
  while (found.length < take) {
    const batch = take - found.length;
    const servers = await db().server.findMany({
      where: { AND: [nameSearch(query.search), after ? { name: { gt: after } } : {}], versions: { some: visibleWhere(viewer) } },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
      take: batch,
    });
    const ids = [...(await latestVisibleIds(viewer, servers.map((server) => server.id)))];
    const rows = await db().serverVersion.findMany({ where: { id: { in: ids } }, select: registryVersionSelect });
    const byServer = new Map(rows.map((row) => [row.server.id, row]));
    for (const server of servers) {
      const row = byServer.get(server.id);
      if (row && (!query.updated_since || updatedAtOf(row) >= query.updated_since)) found.push(row);
    }
    if (servers.length < batch) break;
    after = servers.at(-1)!.name;
  }
  return found;
}

/** A bundle's versions this viewer sees, newest first; refused as unknown when none. */
async function bundleVersionRows(viewer: RegistryViewer, entryName: string, bundle: string): Promise<BundleEntryRow[]> {
  const rows = await visibleBundleRows(viewer, bundle);
  if (rows.length === 0) throw new NotFoundError(`No server named ${entryName} is in the registry.`);
  return rows.reverse();
}

async function serverRows(viewer: RegistryViewer, name: string): Promise<RegistryVersionRow[]> {
  const rows = await db().serverVersion.findMany({ where: { ...visibleWhere(viewer), server: { name } }, select: registryVersionSelect });
  // An entry with nothing this caller may see is answered like one that does not exist.
  if (rows.length === 0) throw new NotFoundError(`No server named ${name} is in the registry.`);
  return rows.sort(newestFirst);
}

/** GET /v0.1/servers/{serverName}/versions: every visible version, newest first. */
export async function serverVersions(viewer: RegistryViewer, name: string, baseUrl: string): Promise<ServerList> {
  const bundle = bundleOfEntryName(name);
  if (bundle !== null) {
    const versions = await bundleVersionRows(viewer, name, bundle);
    return { servers: versions.map((row) => bundleEntry(row, baseUrl)), metadata: { count: versions.length } };
  }
  const rows = await serverRows(viewer, name);
  return { servers: await entries(rows, viewer, baseUrl, latestIds(rows.map(keyOf))), metadata: { count: rows.length } };
}

/** GET /v0.1/servers/{serverName}/versions/{version}, where `latest` is the latest visible version. */
export async function serverVersion(viewer: RegistryViewer, name: string, version: string, baseUrl: string): Promise<ServerResponse> {
  const bundle = bundleOfEntryName(name);
  if (bundle !== null) {
    const found = (await bundleVersionRows(viewer, name, bundle)).find((row) => (version === "latest" ? row.isLatest : row.version === version));
    if (!found) throw new NotFoundError(`Version ${version} of ${name} is not in the registry.`);
    return bundleEntry(found, baseUrl);
  }
  const rows = await serverRows(viewer, name);
  const latest = latestIds(rows.map(keyOf));
  const row = version === "latest" ? rows.find((candidate) => latest.has(candidate.id)) : rows.find((candidate) => candidate.version === version);
  if (!row) throw new NotFoundError(`Version ${version} of ${name} is not in the registry.`);
  const [entry] = await entries([row], viewer, baseUrl, latest);
  return entry!;
}

function keyOf(row: RegistryVersionRow): VersionKey {
  return { id: row.id, serverId: row.server.id, version: row.version, status: row.status };
}

import { db } from "@/lib/db/prisma";
import { isResolutionListening, onResolutionChange, unlistenedTtlMs } from "./invalidation";
import { singleton } from "@/lib/runtime/singleton";
import { bundleToolNames } from "./bundle-names";

// What the gateway serves at /mcp/bundles/{name}: the bundle's highest certified version, its tools named
// as ./bundle-names.ts says. Read once and cached like the agents' views, dropped with them on any change to
// bundles (lib/bundles; their tables notify the resolution channel, migration 20261201310000_bundles).

export interface ServedBundle {
  name: string;
  teamId: string;
  versionId: string;
  number: number;
  /** The name on the endpoint of each tool, by its name at /mcp. */
  exposedByCanonical: ReadonlyMap<string, string>;
  /** The name at /mcp of each tool, by its name on the endpoint. */
  canonicalByExposed: ReadonlyMap<string, string>;
}

interface Cached {
  bundle: Promise<ServedBundle | null>;
  expiresAt: number;
}

// Names asked for are checked against the bundle name rule first, but an agent may still ask for many:
// past this, the cache starts again rather than grow.
const maxCached = 1_000;

const cache = singleton("servedBundles", () => {
  const bundles = new Map<string, Cached>();
  onResolutionChange(() => bundles.clear());
  return bundles;
});

async function load(name: string): Promise<ServedBundle | null> {
  const version = await db().bundleVersion.findFirst({
    where: { status: "certified", bundle: { name } },
    orderBy: { number: "desc" },
    select: {
      id: true,
      number: true,
      bundle: { select: { name: true, teamId: true } },
      tools: { orderBy: { position: "asc" }, select: { toolName: true, server: { select: { name: true } } } },
    },
  });
  if (!version) return null;
  const named = bundleToolNames(version.tools.map((tool) => ({ server: tool.server.name, tool: tool.toolName })));
  const exposedByCanonical = new Map<string, string>();
  const canonicalByExposed = new Map<string, string>();
  for (const tool of named) {
    if (tool.canonical === null || tool.exposedName === null) continue;
    exposedByCanonical.set(tool.canonical, tool.exposedName);
    canonicalByExposed.set(tool.exposedName, tool.canonical);
  }
  return { name: version.bundle.name, teamId: version.bundle.teamId, versionId: version.id, number: version.number, exposedByCanonical, canonicalByExposed };
}

/** The bundle as its endpoint serves it, or null when no version of it is certified (or there is no such bundle). */
export function servedBundle(name: string): Promise<ServedBundle | null> {
  const now = Date.now();
  const hit = cache.get(name);
  if (hit && hit.expiresAt > now) return hit.bundle;
  if (cache.size >= maxCached) cache.clear();
  const entry: Cached = { bundle: load(name), expiresAt: isResolutionListening() ? Infinity : now + unlistenedTtlMs };
  entry.bundle.catch(() => {
    if (cache.get(name) === entry) cache.delete(name);
  });
  cache.set(name, entry);
  return entry.bundle;
}

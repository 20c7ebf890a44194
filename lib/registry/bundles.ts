import { db } from "@/lib/db/prisma";
import { bundleToolNames } from "@/lib/gateway/bundle-names";
import { bundleEndpointUrl } from "@/lib/gateway/endpoints";
import { bundleMetaKey, officialMetaKey, type ServerResponse, serverSchemaUrl } from "./contract";
import { fitText } from "./server-json";
import type { RegistryViewer } from "./viewer";

// Bundles in the registry API (docs/decisions/033-endpoints-per-entry-and-bundle.md): each certified
// version of a bundle is an entry named io.toolgate.bundles/{name}, version {number}.0.0, whose only remote
// is the bundle's endpoint. Only agents of the bundle's team see it (the endpoint serves no one else), and
// an anonymous reader sees none. They are listed after the catalog's entries.

export const bundleNamespace = "io.toolgate.bundles";

export interface BundleEntryRow {
  /** The entry's name, io.toolgate.bundles/{name}. */
  name: string;
  bundle: string;
  title: string;
  description: string;
  number: number;
  version: string;
  decidedAt: Date;
  isLatest: boolean;
  tools: { server: string; tool: string }[];
}

/** The bundle an entry name stands for, or null when the name is not a bundle's. */
export function bundleOfEntryName(name: string): string | null {
  return name.startsWith(`${bundleNamespace}/`) ? name.slice(bundleNamespace.length + 1) : null;
}

// A team has few bundles: they are read whole, in name and number order, and paged here.
const maxBundleRows = 2_000;

/** The certified bundle versions this viewer sees, by entry name then number; `only` narrows to one bundle. */
export async function visibleBundleRows(viewer: RegistryViewer, only?: string): Promise<BundleEntryRow[]> {
  if (viewer.kind !== "agent") return [];
  const versions = await db().bundleVersion.findMany({
    where: { status: "certified", bundle: { teamId: viewer.agent.teamId, ...(only !== undefined ? { name: only } : {}) } },
    orderBy: [{ bundle: { name: "asc" } }, { number: "asc" }],
    take: maxBundleRows,
    select: {
      number: true,
      decidedAt: true,
      createdAt: true,
      bundle: { select: { name: true, title: true, description: true } },
      tools: { orderBy: { position: "asc" }, select: { toolName: true, server: { select: { name: true } } } },
    },
  });
  // In code-point order whatever the database's collation, as the listing's cursor compares names so.
  versions.sort((a, b) => (a.bundle.name < b.bundle.name ? -1 : a.bundle.name > b.bundle.name ? 1 : a.number - b.number));
  const highest = new Map<string, number>();
  for (const version of versions) highest.set(version.bundle.name, Math.max(highest.get(version.bundle.name) ?? 0, version.number));
  return versions.map((version) => ({
    name: `${bundleNamespace}/${version.bundle.name}`,
    bundle: version.bundle.name,
    title: version.bundle.title,
    description: version.bundle.description,
    number: version.number,
    version: `${version.number}.0.0`,
    decidedAt: version.decidedAt ?? version.createdAt,
    isLatest: highest.get(version.bundle.name) === version.number,
    tools: version.tools.map((tool) => ({ server: tool.server.name, tool: tool.toolName })),
  }));
}

export function bundleEntry(row: BundleEntryRow, baseUrl: string): ServerResponse {
  const title = fitText(row.title);
  return {
    server: {
      $schema: serverSchemaUrl,
      name: row.name,
      description: fitText(row.description) || title || row.name,
      ...(title ? { title } : {}),
      version: row.version,
      remotes: [
        {
          type: "streamable-http",
          url: bundleEndpointUrl(baseUrl, row.bundle),
          headers: [{ name: "Authorization", description: "Bearer <agent API key issued by Toolgate>", isRequired: true, isSecret: true }],
        },
      ],
    },
    _meta: {
      [officialMetaKey]: { status: "active", publishedAt: row.decidedAt.toISOString(), updatedAt: row.decidedAt.toISOString(), isLatest: row.isLatest },
      [bundleMetaKey]: {
        bundle: row.bundle,
        number: row.number,
        tools: bundleToolNames(row.tools).flatMap((tool) => (tool.exposedName === null ? [] : [{ name: tool.exposedName, server: tool.server, tool: tool.tool }])),
      },
    },
  };
}

import { db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { NotFoundError } from "@/lib/errors";
import { type DefinitionChange, diffDefinitions, type ToolChange, diffTools } from "./tool-diff";

// What anyone allowed to view the catalog may see of an entry: everything but the credential itself.
const serverFields = {
  id: true,
  name: true,
  title: true,
  purpose: true,
  teamId: true,
  environments: true,
  classification: true,
  endpointUrl: true,
  credentialHeader: true,
  credentialHint: true,
  upstreamAuth: true,
  resultCacheTtlSeconds: true,
  idempotencyWindowSeconds: true,
  threatModel: true,
  riskAppetite: true,
  riskTier: true,
  approvalTools: true,
  dataMinimisation: true,
  dataMasking: true,
  sensitiveFields: true,
  dataRetention: true,
  dataConsent: true,
  createdAt: true,
  updatedAt: true,
  team: { select: { id: true, name: true } },
  owners: { select: { user: { select: { id: true, name: true, email: true } } } },
} as const;

const versionSummaryFields = {
  id: true,
  version: true,
  status: true,
  declaredName: true,
  declaredVersion: true,
  protocolVersion: true,
  dependencies: true,
  mitigations: true,
  createdAt: true,
  submittedAt: true,
  _count: { select: { tools: true, resources: true, prompts: true } },
} as const;

const toolFields = {
  name: true,
  title: true,
  description: true,
  inputSchema: true,
  outputSchema: true,
  annotations: true,
  definitionHash: true,
} as const;

/** A catalog entry with its versions, newest first. Unscoped read: the caller checks "catalog.view". */
export async function getServer(serverId: string) {
  const server = await db().server.findUnique({
    where: { id: serverId },
    select: { ...serverFields, versions: { select: versionSummaryFields, orderBy: { createdAt: "desc" } } },
  });
  if (!server) throw new NotFoundError("That catalog entry does not exist.");
  return server;
}

export type ServerEntry = Awaited<ReturnType<typeof getServer>>;

/** The id of the entry with this server name, or null. Unscoped read: the caller checks "catalog.view". */
export async function serverIdByName(name: string): Promise<string | null> {
  const server = await db().server.findUnique({ where: { name }, select: { id: true } });
  return server?.id ?? null;
}

/** Resources, resource templates and prompts as a version records them, in declaration order. */
const otherDefinitions = {
  resources: { select: { uri: true, name: true, title: true, description: true, mimeType: true, definitionHash: true }, orderBy: { position: "asc" } },
  resourceTemplates: { select: { uriTemplate: true, name: true, title: true, description: true, mimeType: true, definitionHash: true }, orderBy: { position: "asc" } },
  prompts: { select: { name: true, title: true, description: true, arguments: true, definitionHash: true }, orderBy: { position: "asc" } },
} satisfies Pick<Prisma.ServerVersionSelect, "resources" | "resourceTemplates" | "prompts">;

/** One version with everything the server declared, in declaration order. Unscoped read: the caller checks "catalog.view". */
export async function getVersion(serverId: string, version: string) {
  const found = await db().serverVersion.findUnique({
    where: { serverId_version: { serverId, version } },
    select: {
      ...versionSummaryFields,
      tools: { select: toolFields, orderBy: { position: "asc" } },
      ...otherDefinitions,
    },
  });
  if (!found) throw new NotFoundError(`Version ${version} of this server does not exist.`);
  return found;
}

export type VersionDetail = Awaited<ReturnType<typeof getVersion>>;

/** The version before this one (versions only ever increase), or null for the first. */
async function previousVersion(serverId: string, createdAt: Date) {
  return db().serverVersion.findFirst({
    where: { serverId, createdAt: { lt: createdAt } },
    orderBy: { createdAt: "desc" },
    select: { version: true, tools: { select: toolFields }, ...otherDefinitions },
  });
}

export interface VersionChanges {
  previous: string | null;
  changes: ToolChange[];
  /** The same for resources (by URI), resource templates (by URI template) and prompts (by name). */
  definitions: DefinitionChange[];
}

type OtherDefinitions = Pick<VersionDetail, "resources" | "resourceTemplates" | "prompts">;

function otherChanges(before: OtherDefinitions | null, now: OtherDefinitions): DefinitionChange[] {
  return [
    ...diffDefinitions("resource", before?.resources ?? [], now.resources, (item) => item.uri),
    ...diffDefinitions("resource_template", before?.resourceTemplates ?? [], now.resourceTemplates, (item) => item.uriTemplate),
    ...diffDefinitions("prompt", before?.prompts ?? [], now.prompts, (item) => item.name),
  ];
}

/**
 * Per-tool changes of an already loaded version from the previous one; every tool counts as added for the first.
 * Unscoped read: the caller checks "catalog.view".
 */
export async function changesFromPrevious(serverId: string, current: Pick<VersionDetail, "createdAt" | "tools"> & OtherDefinitions): Promise<VersionChanges> {
  const before = await previousVersion(serverId, current.createdAt);
  return { previous: before?.version ?? null, changes: diffTools(before?.tools ?? [], current.tools), definitions: otherChanges(before, current) };
}

/** Per-tool changes of a version from the previous one. Unscoped read: the caller checks "catalog.view". */
export async function versionDiff(serverId: string, version: string): Promise<VersionChanges> {
  return changesFromPrevious(serverId, await getVersion(serverId, version));
}

/** The audit events about this entry and its versions, newest first. Unscoped read: the caller checks "catalog.view". */
export function serverHistory(serverId: string) {
  return db().auditEvent.findMany({
    where: { targetType: "server", targetId: serverId },
    orderBy: { id: "desc" },
    take: 500,
  });
}

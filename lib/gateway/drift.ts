// Drift: a backend whose live tool definitions no longer hash to the certified ones. Checked when a
// pooled session opens (before it serves a call), when the backend sends tools/list_changed, before a
// call to a tool that is not read-only or needs approval once the last listing is older than
// TOOLGATE_DRIFT_RECHECK_SECONDS (30 s), and by the cluster's drift-sweep job every 5 minutes, for the
// read-only rest (./drift-sweep.ts, decision 040).
// A mismatch blocks the tool (./backends.ts refuses it at once; the open incident hides it from every
// instance's resolution) and is recorded and audited once, until the definition matches again. The
// incident keeps the live definition it saw, so a person can read what changed (certified against live).
import { type AuditInput, recordAudit, systemActor } from "@/lib/audit/record";
import { definitionHash, promptDefinitionHash, resourceDefinitionHash, resourceTemplateDefinitionHash, type ToolDefinition } from "@/lib/catalog/definition-hash";
import { diffDefinition, type FieldDiff } from "@/lib/catalog/tool-diff";
import { db, type Tx } from "@/lib/db/prisma";
import { Prisma } from "@/lib/generated/prisma/client";
import { type Backend, backendPool, type LiveDefinitions, type LiveTool } from "./backends";
import type { DefinitionKind } from "./resource-view";

/** What an incident is about: a tool, or (decision 032) a resource, resource template or prompt. */
export type DriftKind = "tool" | DefinitionKind;

/**
 * What the incident shows of the change: the certified definition against the live one, field by field;
 * "gone" when the live server no longer declares the tool; "unrecorded" for incidents opened before the
 * live definition was kept (only hashes).
 */
export type DriftChange = { kind: "diff"; diffs: FieldDiff[] } | { kind: "gone" } | { kind: "unrecorded" };

export interface DriftIncidentView {
  id: string;
  serverId: string;
  serverName: string;
  /** The owning team, for the permission checks of the actions a page offers. */
  teamId: string;
  versionId: string;
  version: string;
  /** A tool, or a resource, resource template or prompt (toolName then holds its URI, URI template or name). */
  kind: DriftKind;
  toolName: string;
  pinnedHash: string;
  /** Null when the live server no longer declares the tool. */
  liveHash: string | null;
  detectedAt: Date;
  change: DriftChange;
}

interface Mismatch {
  kind: DriftKind;
  /** The tool's or prompt's name, the resource's URI, the template's URI template. */
  tool: string;
  pinnedHash: string;
  liveHash: string | null;
  /** The definition the backend declares now; null when it no longer declares the item. */
  live: object | null;
}

interface OpenIncident {
  id: string;
  kind: string;
  toolName: string;
  pinnedHash: string;
  liveHash: string | null;
}

/** Compares live tools with the pinned hashes (lib/runtime/gateway-wiring.ts sets it as the pool's watcher) of the backend's version; opens and resolves incidents to match. */
/**
 * What the pool keys a drifted item by: a tool by its name, anything else as "<kind> <name>" (tool names
 * have no spaces, so the two never meet). ./definitions-server.ts refuses by the same key.
 */
export const driftedKey = (kind: DriftKind, name: string) => (kind === "tool" ? name : `${kind} ${name}`);

function mismatchesOf<T extends object>(kind: DriftKind, pinned: { key: string; definitionHash: string | null }[], live: T[], keyOf: (item: T) => string, hashOf: (item: T) => string): Mismatch[] {
  const byKey = new Map(live.map((item) => [keyOf(item), { item, hash: hashOf(item) }]));
  return pinned.flatMap(({ key, definitionHash: pinnedHash }) => {
    // Recorded before hashes were kept: unknown, never served, nothing to compare.
    if (pinnedHash === null) return [];
    const now = byKey.get(key);
    return now?.hash === pinnedHash ? [] : [{ kind, tool: key, pinnedHash, liveHash: now?.hash ?? null, live: now?.item ?? null }];
  });
}

async function definitionMismatches(versionId: string, live: LiveDefinitions): Promise<Mismatch[]> {
  const [resources, templates, prompts] = await Promise.all([
    db().versionResource.findMany({ where: { versionId }, select: { uri: true, definitionHash: true } }),
    db().versionResourceTemplate.findMany({ where: { versionId }, select: { uriTemplate: true, definitionHash: true } }),
    db().versionPrompt.findMany({ where: { versionId }, select: { name: true, definitionHash: true } }),
  ]);
  return [
    ...mismatchesOf("resource", resources.map((item) => ({ key: item.uri, definitionHash: item.definitionHash })), live.resources, (item) => item.uri, resourceDefinitionHash),
    ...mismatchesOf("resource_template", templates.map((item) => ({ key: item.uriTemplate, definitionHash: item.definitionHash })), live.resourceTemplates, (item) => item.uriTemplate, resourceTemplateDefinitionHash),
    ...mismatchesOf("prompt", prompts.map((item) => ({ key: item.name, definitionHash: item.definitionHash })), live.prompts, (item) => item.name, promptDefinitionHash),
  ];
}

/**
 * Compares live tools (and, when given, live resources, resource templates and prompts) with the pinned
 * hashes of the backend's version (lib/runtime/gateway-wiring.ts sets it as the pool's watcher); opens
 * and resolves incidents to match. Returns the drifted items as driftedKey names them.
 */
export async function compareWithPinned(backend: Backend, liveTools: LiveTool[], liveDefinitions?: LiveDefinitions): Promise<{ drifted: string[] }> {
  const [pinned, open, others] = await Promise.all([
    db().versionTool.findMany({ where: { versionId: backend.versionId }, select: { name: true, definitionHash: true } }),
    db().driftIncident.findMany({ where: { versionId: backend.versionId, resolvedAt: null }, select: { id: true, kind: true, toolName: true, pinnedHash: true, liveHash: true } }),
    liveDefinitions ? definitionMismatches(backend.versionId, liveDefinitions) : [],
  ]);
  const mismatches = [
    ...mismatchesOf("tool", pinned.map((tool) => ({ key: tool.name, definitionHash: tool.definitionHash })), liveTools, (tool) => tool.name, definitionHash),
    ...others,
  ];
  const drifted = new Set(mismatches.map((mismatch) => driftedKey(mismatch.kind, mismatch.tool)));
  const alreadyOpen = new Map(open.map((incident) => [driftedKey(incident.kind as DriftKind, incident.toolName), incident]));
  for (const mismatch of mismatches) {
    const incident = alreadyOpen.get(driftedKey(mismatch.kind, mismatch.tool));
    if (!incident) await openIncident(backend, mismatch);
    // Drifted again, to yet another definition: the incident shows what the backend declares now.
    else if (incident.liveHash !== mismatch.liveHash) await updateIncident(backend, incident, mismatch);
  }
  for (const incident of open) {
    // Items of a kind not compared this time (no live definitions given) stay as they are.
    if (incident.kind !== "tool" && !liveDefinitions) continue;
    if (!drifted.has(driftedKey(incident.kind as DriftKind, incident.toolName))) await resolveIncident(backend, incident);
  }
  return { drifted: [...drifted] };
}

type DriftEvent = Pick<AuditInput, "action" | "outcome" | "reason" | "details">;

/** One change to an incident and, only when this instance made it, its audit event in the same transaction. */
async function changeIncident(backend: Backend, change: (tx: Tx) => Promise<{ count: number }>, event: DriftEvent): Promise<void> {
  await db().$transaction(async (tx) => {
    const { count } = await change(tx);
    if (count > 0) await recordAudit(tx, { actor: systemActor, target: { type: "server", id: backend.serverId }, ...event });
  });
}

/** The live definition as stored on the incident: exactly the fields that define a tool (and its hash). */
function storedDefinition(kind: DriftKind, live: object | null): Prisma.InputJsonValue | undefined {
  if (!live) return undefined;
  if (kind !== "tool") return JSON.parse(JSON.stringify(live)) as Prisma.InputJsonValue;
  const { name, title, description, inputSchema, outputSchema, annotations } = live as LiveTool;
  return JSON.parse(JSON.stringify({ name, title, description, inputSchema, outputSchema, annotations })) as Prisma.InputJsonValue;
}

/** The audit details name the item as before for a tool, and with its kind for the others. */
const itemDetails = (kind: DriftKind | string, tool: string) => (kind === "tool" ? { tool } : { kind, item: tool });

function openIncident(backend: Backend, { kind, tool, pinnedHash, liveHash, live }: Mismatch): Promise<void> {
  const incident = { serverId: backend.serverId, versionId: backend.versionId, kind, toolName: tool, pinnedHash, liveHash, liveDefinition: storedDefinition(kind, live) };
  return changeIncident(
    backend,
    // One open incident per version and tool (a partial unique index): another instance may have just opened it.
    (tx) => tx.driftIncident.createMany({ data: [incident], skipDuplicates: true }),
    {
      action: "gateway.drift",
      outcome: "failure",
      reason: "definition drift since certification",
      details: { version: backend.version, ...itemDetails(kind, tool), pinnedHash, liveHash },
    },
  );
}

function updateIncident(backend: Backend, incident: OpenIncident, { kind, tool, pinnedHash, liveHash, live }: Mismatch): Promise<void> {
  return changeIncident(
    backend,
    (tx) =>
      tx.driftIncident.updateMany({
        where: { id: incident.id, resolvedAt: null, liveHash: incident.liveHash },
        data: { liveHash, liveDefinition: storedDefinition(kind, live) ?? Prisma.DbNull },
      }),
    {
      action: "gateway.drift",
      outcome: "failure",
      reason: "definition drifted again",
      details: { version: backend.version, ...itemDetails(kind, tool), pinnedHash, liveHash, previousLiveHash: incident.liveHash, incidentId: incident.id },
    },
  );
}

function resolveIncident(backend: Backend, incident: OpenIncident): Promise<void> {
  return changeIncident(backend, (tx) => tx.driftIncident.updateMany({ where: { id: incident.id, resolvedAt: null }, data: { resolvedAt: new Date() } }), {
    action: "gateway.drift.resolve",
    outcome: "success",
    reason: "the live definition matches the certified one again",
    details: { version: backend.version, ...itemDetails(incident.kind, incident.toolName), pinnedHash: incident.pinnedHash, incidentId: incident.id },
  });
}

/** Lists the backend's live tools now and compares them with the pinned ones. */
export function checkDrift(backend: Backend): Promise<{ drifted: string[] }> {
  return backendPool().recheckTools(backend);
}

/** The drift list: open incidents, newest first, optionally of one server. */
export async function openDriftIncidents(serverId?: string): Promise<DriftIncidentView[]> {
  const incidents = await db().driftIncident.findMany({
    where: { resolvedAt: null, ...(serverId ? { serverId } : {}) },
    orderBy: [{ detectedAt: "desc" }, { toolName: "asc" }],
  });
  if (incidents.length === 0) return [];
  const versionIds = [...new Set(incidents.map((incident) => incident.versionId))];
  const [servers, versions, certified] = await Promise.all([
    db().server.findMany({ where: { id: { in: [...new Set(incidents.map((incident) => incident.serverId))] } }, select: { id: true, name: true, teamId: true } }),
    db().serverVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, version: true } }),
    db().versionTool.findMany({
      where: { versionId: { in: versionIds }, name: { in: [...new Set(incidents.map((incident) => incident.toolName))] } },
      select: { versionId: true, name: true, title: true, description: true, inputSchema: true, outputSchema: true, annotations: true },
    }),
  ]);
  const serversById = new Map(servers.map((server) => [server.id, server]));
  const versionNames = new Map(versions.map((version) => [version.id, version.version]));
  const certifiedTools = new Map(certified.map((tool) => [`${tool.versionId}/${tool.name}`, tool]));
  return incidents.map((incident) => ({
    id: incident.id,
    serverId: incident.serverId,
    serverName: serversById.get(incident.serverId)?.name ?? "",
    teamId: serversById.get(incident.serverId)?.teamId ?? "",
    versionId: incident.versionId,
    version: versionNames.get(incident.versionId) ?? "",
    kind: incident.kind as DriftKind,
    toolName: incident.toolName,
    pinnedHash: incident.pinnedHash,
    liveHash: incident.liveHash,
    detectedAt: incident.detectedAt,
    change: driftChange(incident.kind === "tool" ? certifiedTools.get(`${incident.versionId}/${incident.toolName}`) : undefined, incident.liveHash, incident.liveDefinition),
  }));
}

type StoredDefinition = Omit<ToolDefinition, "name">;

function driftChange(certified: StoredDefinition | undefined, liveHash: string | null, liveDefinition: Prisma.JsonValue | null): DriftChange {
  if (liveHash === null) return { kind: "gone" };
  if (!certified || !isDefinition(liveDefinition)) return { kind: "unrecorded" };
  return { kind: "diff", diffs: diffDefinition(certified, liveDefinition) };
}

function isDefinition(value: Prisma.JsonValue | null): value is Prisma.JsonObject & StoredDefinition {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "inputSchema" in value;
}

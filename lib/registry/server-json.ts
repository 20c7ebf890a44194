import { z } from "zod";
import { serverEndpointUrl } from "@/lib/gateway/endpoints";
import { type EnvironmentName, environments } from "@/lib/catalog/schemas";
import type { KillSwitchView } from "@/lib/killswitch/types";
import {
  descriptionMaxLength,
  type GovernanceMeta,
  governanceMetaKey,
  officialMetaKey,
  type ServerJson,
  type ServerResponse,
  serverSchemaUrl,
} from "./contract";
import { type RegistryVersionRow, updatedAtOf } from "./rows";
import type { RegistryViewer } from "./viewer";

// One registry entry: a server.json for a certified version whose only remote is the entry's own endpoint
// on Toolgate's gateway, /mcp/servers/{name} (a host never learns the backend's address, so it cannot go
// around the gateway), the official registry metadata, and the governance facts under our own `_meta` key.

export interface EntryContext {
  /** Toolgate's public origin (and base path), without a trailing slash. */
  baseUrl: string;
  viewer: RegistryViewer;
  isLatest: boolean;
  /** Every engaged kill switch; those that apply to this version are picked here. */
  switches: readonly KillSwitchView[];
}

/** Whitespace collapsed and cut to the schema's limit, counting characters as JSON Schema does (code points). */
export function fitText(text: string, max = descriptionMaxLength): string {
  const characters = [...text.replace(/\s+/g, " ").trim()];
  return characters.length <= max ? characters.join("") : `${characters.slice(0, max - 1).join("").trimEnd()}…`;
}

/** Where an agent reaches this entry's tools, and only them, unprefixed (lib/gateway/endpoints.ts). */
export function gatewayUrl(baseUrl: string, name: string): string {
  return serverEndpointUrl(baseUrl, name);
}

export function serverJsonOf(row: RegistryVersionRow, baseUrl: string): ServerJson {
  const { server } = row;
  const title = fitText(server.title);
  return {
    $schema: serverSchemaUrl,
    name: server.name,
    description: fitText(server.purpose) || title || server.name,
    ...(title ? { title } : {}),
    version: row.version,
    remotes: [
      {
        type: "streamable-http",
        url: gatewayUrl(baseUrl, server.name),
        headers: [{ name: "Authorization", description: "Bearer <agent API key issued by Toolgate>", isRequired: true, isSecret: true }],
      },
    ],
  };
}

const perEnvironmentApprovals = z.partialRecord(z.enum(environments), z.array(z.string()));

/** Where each tool needs a human approval: everywhere when the reviewer said so, else where the entry lists it. */
function approvalEnvironments(row: RegistryVersionRow): (tool: string) => EnvironmentName[] {
  const versionWide = new Set(row.approvalTools);
  const parsed = perEnvironmentApprovals.safeParse(row.server.approvalTools);
  const perEnvironment = parsed.success ? parsed.data : {};
  return (tool) => (versionWide.has(tool) ? [...environments] : environments.filter((env) => perEnvironment[env]?.includes(tool)));
}

/** The engaged switches that stop this version or one of its tools (global ones included). */
export function switchesOn(row: Pick<RegistryVersionRow, "id" | "server">, switches: readonly KillSwitchView[]): KillSwitchView[] {
  return switches.filter((s) => {
    if (s.scope === "global") return true;
    if (s.serverId !== row.server.id) return false;
    return s.scope === "server" || s.versionId === row.id || (s.scope === "tool" && s.versionId === null);
  });
}

function evidenceSummaryOf(row: RegistryVersionRow): GovernanceMeta["evidenceSummary"] {
  const byKind: GovernanceMeta["evidenceSummary"]["byKind"] = {};
  for (const item of row.evidence) byKind[item.kind] = (byKind[item.kind] ?? 0) + 1;
  return { total: row.evidence.length, byKind, items: row.evidence.map(({ kind, sha256 }) => ({ kind, sha256 })) };
}

function governanceOf(row: RegistryVersionRow, context: EntryContext): GovernanceMeta {
  const needsApproval = approvalEnvironments(row);
  const { viewer } = context;
  const manifest = row.manifest;
  return {
    // The reviewer's tier, as in the signed manifest; the entry's own tier is the owner's to edit.
    riskTier: row.riskTier,
    classification: row.server.classification,
    certification: {
      state: row.status === "deprecated" ? "deprecated" : "certified",
      certifiedAt: row.certifiedAt?.toISOString() ?? null,
      deprecatedAt: row.deprecatedAt?.toISOString() ?? null,
      sunsetAt: row.sunsetAt?.toISOString() ?? null,
    },
    environments: environments.filter((env) => row.pins.some((pin) => pin.environment === env)),
    tools: row.tools.map((tool) => {
      const where = needsApproval(tool.name);
      const requiresApproval = viewer.kind === "agent" ? where.includes(viewer.agent.environment) : where.length > 0;
      return { name: tool.name, definitionHash: tool.definitionHash, requiresApproval, approvalEnvironments: where };
    }),
    evidenceSummary: evidenceSummaryOf(row),
    manifest:
      manifest !== null && typeof manifest === "object" && !Array.isArray(manifest) && row.manifestSignature && row.signingKeyId
        ? { signature: row.manifestSignature, keyId: row.signingKeyId, manifest }
        : null,
    killed: switchesOn(row, context.switches).map((s) => ({ scope: s.scope, toolName: s.toolName, engagedAt: s.engagedAt.toISOString() })),
  };
}

/** A catalog entry's version: its governance facts are always there. */
export type CatalogEntryResponse = ServerResponse & { _meta: { [governanceMetaKey]: GovernanceMeta } };

export function registryEntry(row: RegistryVersionRow, context: EntryContext): CatalogEntryResponse {
  return {
    server: serverJsonOf(row, context.baseUrl),
    _meta: {
      [officialMetaKey]: {
        status: row.status === "deprecated" ? "deprecated" : "active",
        // Versions made before certification dates were kept fall back to when they were imported.
        publishedAt: (row.certifiedAt ?? row.createdAt).toISOString(),
        updatedAt: updatedAtOf(row).toISOString(),
        isLatest: context.isLatest,
      },
      [governanceMetaKey]: governanceOf(row, context),
    },
  };
}

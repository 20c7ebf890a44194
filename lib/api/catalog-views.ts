import type { z } from "zod";
import type { ServerEntry, VersionChanges, VersionDetail } from "@/lib/catalog/read";
import type { serverEntry, versionDetail, versionSummary } from "./catalog-contract";

// Database rows to the API's response shapes (lib/api/catalog-contract.ts).

type VersionRow = ServerEntry["versions"][number];

function versionSummaryView(version: VersionRow): z.input<typeof versionSummary> {
  return {
    version: version.version,
    status: version.status,
    declaredName: version.declaredName,
    declaredVersion: version.declaredVersion,
    protocolVersion: version.protocolVersion,
    dependencies: version.dependencies as { name: string; version: string }[],
    mitigations: version.mitigations,
    createdAt: version.createdAt.toISOString(),
    submittedAt: version.submittedAt?.toISOString() ?? null,
    counts: version._count,
  };
}

export function serverEntryView(entry: ServerEntry): z.input<typeof serverEntry> {
  return {
    id: entry.id,
    name: entry.name,
    title: entry.title,
    purpose: entry.purpose,
    team: entry.team,
    owners: entry.owners.map((owner) => owner.user),
    environments: entry.environments,
    classification: entry.classification,
    endpointUrl: entry.endpointUrl,
    credential: entry.credentialHeader ? { header: entry.credentialHeader, hint: entry.credentialHint ?? "" } : null,
    upstreamAuth: entry.upstreamAuth,
    riskPosture: { threatModel: entry.threatModel, riskAppetite: entry.riskAppetite, riskTier: entry.riskTier },
    approvalTools: entry.approvalTools as Record<string, string[]>,
    dataHandling: {
      minimisation: entry.dataMinimisation,
      masking: entry.dataMasking,
      sensitiveFields: entry.sensitiveFields,
      retention: entry.dataRetention,
      consent: entry.dataConsent,
    },
    versions: entry.versions.map(versionSummaryView),
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

export function versionDetailView(detail: VersionDetail, diff: VersionChanges): z.input<typeof versionDetail> {
  return {
    ...versionSummaryView(detail),
    tools: detail.tools.map((tool) => ({
      ...tool,
      inputSchema: tool.inputSchema as Record<string, unknown>,
      outputSchema: tool.outputSchema as Record<string, unknown> | null,
      annotations: tool.annotations as Record<string, unknown> | null,
    })),
    resources: detail.resources,
    resourceTemplates: detail.resourceTemplates,
    prompts: detail.prompts.map((prompt) => ({ ...prompt, arguments: prompt.arguments as Record<string, unknown>[] | null })),
    diff,
  };
}

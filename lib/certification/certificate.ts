import { db } from "@/lib/db/prisma";
import { buildManifest, signManifest } from "@/lib/signing/manifest";

interface Decision {
  reviewer: string;
  certifiedAt: Date;
  riskTier: string;
  approvalTools: string[];
  waivers: { check: string; reason: string }[];
}

/** The signed manifest of a version being certified: its tools', resources' and prompts' hashes, evidence digests and the decision. */
export async function certificationManifest(
  version: {
    id: string;
    version: string;
    server: { name: string };
    tools: { name: string; definitionHash: string }[];
    resources: { uri: string; definitionHash: string | null }[];
    resourceTemplates: { uriTemplate: string; definitionHash: string }[];
    prompts: { name: string; definitionHash: string | null }[];
  },
  decision: Decision,
) {
  const evidence = await db().evidence.findMany({ where: { versionId: version.id }, orderBy: { createdAt: "asc" }, select: { kind: true, sha256: true } });
  const manifest = buildManifest({
    server: version.server.name,
    version: version.version,
    tools: version.tools,
    resources: version.resources,
    resourceTemplates: version.resourceTemplates,
    prompts: version.prompts,
    evidence,
    reviewer: decision.reviewer,
    decidedAt: decision.certifiedAt,
    riskTier: decision.riskTier,
    approvalTools: decision.approvalTools,
    waivers: decision.waivers.map((waiver) => `${waiver.check}: ${waiver.reason}`),
  });
  return { manifest, ...(await signManifest(manifest)) };
}

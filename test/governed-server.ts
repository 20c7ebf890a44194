// A fixture MCP server registered through the catalog, its version certified as a reviewer would and
// pinned in prod, and an agent granted to it: where every gateway test starts.
import type { Role } from "@/lib/auth/roles";
import { registerServer } from "@/lib/catalog/register";
import type { riskTiers } from "@/lib/catalog/schemas";
import { db } from "@/lib/db/prisma";
import { makeTeam, makeUser } from "./factories";
import { agentWithKey, grant } from "./registry";

export interface GovernedServer {
  serverId: string;
  versionId: string;
  owner: Awaited<ReturnType<typeof makeUser>>;
  agentId: string;
  key: string;
}

export async function governFixtureServer(
  endpointUrl: string,
  options: {
    name: string;
    ownerRoles?: Role[];
    credential?: { header: string; value: string };
    sensitiveFields?: string[];
    riskTier?: (typeof riskTiers)[number];
    approvalTools?: string[];
  },
): Promise<GovernedServer> {
  const owner = await makeUser(options.ownerRoles ?? ["owner"]);
  const team = await makeTeam([owner]);
  const { id: serverId } = await registerServer(owner, {
    name: options.name,
    title: "Records",
    purpose: "Records for agents.",
    teamId: team.id,
    environments: ["prod"],
    classification: "internal",
    endpointUrl,
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.sensitiveFields ? { sensitiveFields: options.sensitiveFields } : {}),
    version: { version: "1.0.0" },
  });
  const version = await db().serverVersion.findFirstOrThrow({ where: { serverId } });
  await db().serverVersion.update({
    where: { id: version.id },
    data: { status: "certified", certifiedAt: new Date(), riskTier: options.riskTier ?? "low", approvalTools: options.approvalTools ?? [] },
  });
  await db().pin.create({ data: { serverId, environment: "prod", versionId: version.id } });
  const { agentId, key } = await agentWithKey("prod");
  await grant(agentId, serverId);
  return { serverId, versionId: version.id, owner, agentId, key };
}

// The benchmark's catalog state, made through the real domain functions: a server registered from the
// live backend, certified with passing evidence, promoted to dev, and an agent granted it.
import { createAgent } from "@/lib/agents/agents";
import { grantAccess } from "@/lib/agents/grants";
import { createApiKey } from "@/lib/agents/keys";
import { registerServer } from "@/lib/catalog/register";
import { certifyVersion, claimReview, submitVersion } from "@/lib/certification/lifecycle";
import { requestPromotion } from "@/lib/certification/promotion";
import { namespacedToolName } from "@/lib/gateway/namespacing";
import { addPassingEvidence } from "../../test/evidence";
import { makeTeam, makeUser } from "../../test/factories";
import { promotionGates } from "../../test/promotion-gates";

/**
 * The server, certified and promoted, and `agents` agents granted to it, one key each (with their ids and
 * the administrator, to bind them to an identity provider); `minted` sets its upstream auth.
 */
/** The catalog entry the bench registers and calls. */
export const benchServerName = "io.bench/records";

export async function certifiedAgentKeys(backendUrl: string, credential: { header: string; value: string }, { agents = 1, minted = false } = {}) {
  const [owner, reviewer, admin] = await Promise.all([makeUser(["owner"]), makeUser(["reviewer"]), makeUser(["admin"])]);
  const team = await makeTeam([owner]);
  const name = benchServerName;
  const { id: serverId } = await registerServer(owner, {
    name,
    title: "Bench records",
    purpose: "Benchmark backend.",
    teamId: team.id,
    environments: ["dev"],
    classification: "internal",
    endpointUrl: backendUrl,
    credential,
    version: { version: "1.0.0" },
  });
  const { db } = await import("@/lib/db/prisma");
  const { id: versionId } = await db().serverVersion.findFirstOrThrow({ where: { serverId } });
  await addPassingEvidence(owner, versionId);
  await submitVersion(owner, { versionId });
  await claimReview(reviewer, { versionId });
  await certifyVersion(reviewer, { versionId, reason: "Benchmark.", riskTier: "low", approvalTools: [] });
  await requestPromotion(owner, { versionId, environment: "dev", ...promotionGates, sunsetDays: 0 });
  // Set after the import: the bench process has no public URL to mint with (the gateway has its own).
  if (minted) await db().server.update({ where: { id: serverId }, data: { upstreamAuth: "minted" } });
  const keys: string[] = [];
  const agentIds: string[] = [];
  for (let n = 0; n < agents; n++) {
    const agent = await createAgent(admin, { name: `bench-agent-${n}`, teamId: team.id, environment: "dev" });
    await grantAccess(admin, { agentId: agent.id, serverId });
    keys.push((await createApiKey(admin, { agentId: agent.id })).key);
    agentIds.push(agent.id);
  }
  return { keys, agentIds, admin, tool: namespacedToolName(name, "read_record")!, serverName: name };
}

import { randomUUID } from "node:crypto";
import { recordAuditBatch } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";
import { auditOf, type GatewayAuditEvent } from "@/lib/gateway/audit-event";
import { makeServer, makeTeam } from "./factories";

// Audited tools/call events written through the gateway's own event shape (auditOf) into the real
// audit trail, for tests of replaying them (lib/policy/replay*.ts).

export interface ReplayFixture {
  teamId: string;
  serverId: string;
  versionId: string;
  serverName: string;
  alice: { id: string; name: string };
  bob: { id: string; name: string };
  /** Writes the events; each defaults to alice's allowed call of version 1.0.0 a day ago. */
  audit(events: (Partial<GatewayAuditEvent> & { at?: Date })[]): Promise<void>;
}

export const dayMs = 24 * 3600 * 1000;

/**
 * A certified server with read_record (read-only) and delete_record (destructive, marked by its
 * reviewer as needing approval), and two agents in prod.
 */
export async function replayFixture(): Promise<ReplayFixture> {
  const team = await makeTeam();
  const server = await makeServer({
    teamId: team.id,
    versions: [{ version: "1.0.0", status: "certified", tools: [{ name: "read_record", annotations: { readOnlyHint: true } }, { name: "delete_record", annotations: { destructiveHint: true } }] }],
  });
  await db().serverVersion.update({ where: { id: server.versionIds[0] }, data: { approvalTools: ["delete_record"] } });
  const agent = (name: string) => db().agent.create({ data: { name: `${name}-${randomUUID().slice(0, 6)}`, teamId: team.id, environment: "prod" }, select: { id: true, name: true } });
  const alice = await agent("alice");
  const bob = await agent("bob");
  const audit: ReplayFixture["audit"] = async (events) => {
    const dayAgo = new Date(Date.now() - dayMs);
    await recordAuditBatch(
      db(),
      events.map(({ at, ...event }, n) =>
        auditOf(
          { agentId: alice.id, agentName: alice.name, serverId: server.id, serverName: server.name, version: "1.0.0", decision: "allowed", latencyMs: 1, correlationId: `c-${n}`, method: "tools/call", ...event },
          randomUUID(),
          at ?? dayAgo,
        ),
      ),
    );
  };
  return { teamId: team.id, serverId: server.id, versionId: server.versionIds[0]!, serverName: server.name, alice, bob, audit };
}

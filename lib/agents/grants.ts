import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { assertNotOwner, refuseForSeparationOfDuties } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { peopleById } from "@/lib/certification/approvals-history";
import { db } from "@/lib/db/prisma";
import { conflictIfTaken } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { governingRiskTier, governingRiskTiers, grantNeedsApprover } from "@/lib/catalog/risk";
import { teamNamesById } from "@/lib/teams/manage";
import { nameText, parseInput } from "@/lib/validation";
import { managedAgent, managedPart } from "./managed";
import { futureExpiry, reasonSchema } from "./schemas";

// Grants say which server (and optionally which of its tools) an agent may use, optionally until a
// time (just-in-time access). A grant for a high- or critical-risk server waits for an approver; any
// other takes effect at once. The tier is the one that governs access (lib/catalog/risk.ts): the
// reviewers' tiers on certified versions, which the owner's own edits cannot lower. One open (pending or active) grant per agent and server: to change one,
// revoke it and grant again.


const grantInput = z.object({
  agentId: z.uuid({ error: "Unknown agent." }),
  serverId: z.uuid({ error: "Choose a server." }),
  tools: z
    .array(nameText("A tool name", 200), {
      error: "Tools must be a list of tool names.",
    })
    .max(200, "At most 200 tools.")
    .default([])
    .transform((tools) => [...new Set(tools)]),
  expiresAt: futureExpiry("The expiry"),
});

const decisionInput = z.object({
  grantId: z.uuid({ error: "Unknown grant." }),
  decision: z.enum(["approve", "deny"], { error: "Decide approve or deny." }),
  reason: reasonSchema,
});

const revokeInput = z.object({ grantId: z.uuid({ error: "Unknown grant." }), reason: reasonSchema });

async function toolsMissingFrom(serverId: string, tools: string[]): Promise<string[]> {
  if (tools.length === 0) return [];
  const found = await db().versionTool.findMany({ where: { name: { in: tools }, version: { serverId } }, distinct: ["name"], select: { name: true } });
  const known = new Set(found.map((tool) => tool.name));
  return tools.filter((tool) => !known.has(tool));
}

/** Grants the agent a server (or some of its tools); pending when the server's risk tier needs an approver. */
export async function grantAccess(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const data = parseInput(grantInput, input);
  const agent = await managedAgent(actor, data.agentId);
  const found = await db().server.findUnique({ where: { id: data.serverId }, select: { id: true, name: true } });
  if (!found) throw new NotFoundError("That server does not exist.");
  const server = { ...found, riskTier: await governingRiskTier(found.id) };
  const missing = await toolsMissingFrom(server.id, data.tools);
  if (missing.length) {
    const message = `${server.name} has no tool named ${missing.join(", ")}.`;
    throw new ValidationError(message, { tools: [message] });
  }
  const status = grantNeedsApprover(server.riskTier) ? "pending" : "active";
  return conflictIfTaken(
    db().$transaction(async (tx) => {
      const grant = await tx.grant.create({
        data: { agentId: agent.id, serverId: server.id, tools: data.tools, expiresAt: data.expiresAt ?? null, status, requestedById: actor.id },
        select: { id: true, status: true },
      });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "grant.request",
        target: { type: "agent", id: agent.id },
        outcome: "success",
        details: { grantId: grant.id, serverId: server.id, server: server.name, tools: data.tools, expiresAt: data.expiresAt?.toISOString() ?? null, status, riskTier: server.riskTier },
      });
      return grant;
    }),
    `${agent.name} already has an open grant for ${server.name}; revoke it first to change it.`,
  );
}

/** An approver decides a pending grant. Nobody decides a grant they requested or for a server they own. */
export async function decideGrant(actor: Actor, input: unknown) {
  await guard(actor, "grants.decide", { type: "agent" });
  const data = parseInput(decisionInput, input);
  const grant = await db().grant.findUnique({
    where: { id: data.grantId },
    select: { id: true, agentId: true, serverId: true, status: true, requestedById: true, expiresAt: true, tools: true },
  });
  if (!grant) throw new NotFoundError("That grant does not exist.");
  await assertNotOwner(actor, grant.serverId, "grants.decide");
  if (grant.requestedById === actor.id) {
    await refuseForSeparationOfDuties(actor, "grants.decide", { type: "agent", id: grant.agentId }, "requester of the grant", "You cannot decide a grant you requested.");
  }
  if (grant.status !== "pending") throw new ConflictError(`This grant was already decided (${grant.status}).`);
  if (data.decision === "approve" && grant.expiresAt && grant.expiresAt <= new Date()) throw new ConflictError("This grant expired before it was decided; deny it or ask for a new one.");
  await db().$transaction(async (tx) => {
    const decided = await tx.grant.updateMany({
      where: { id: grant.id, status: "pending" },
      data: { status: data.decision === "approve" ? "active" : "denied", decidedById: actor.id, decidedAt: new Date(), decisionReason: data.reason },
    });
    if (decided.count !== 1) throw new ConflictError("This grant was decided meanwhile.");
    await recordAudit(tx, {
      actor: personActor(actor),
      action: `grant.${data.decision}`,
      target: { type: "agent", id: grant.agentId },
      outcome: "success",
      reason: data.reason,
      details: { grantId: grant.id, serverId: grant.serverId, tools: grant.tools },
    });
  });
}

/** Ends a pending or active grant at once. */
export async function revokeGrant(actor: Actor, input: unknown) {
  await guard(actor, "agents.manage", { type: "agent" });
  const { grantId, reason } = parseInput(revokeInput, input);
  const grant = await managedPart(
    actor,
    await db().grant.findUnique({ where: { id: grantId }, select: { id: true, status: true, serverId: true, agent: { select: { id: true, teamId: true } } } }),
    "That grant does not exist.",
  );
  if (grant.status !== "pending" && grant.status !== "active") throw new ConflictError(`This grant is already ${grant.status}.`);
  await db().$transaction(async (tx) => {
    const revoked = await tx.grant.updateMany({ where: { id: grant.id, status: { in: ["pending", "active"] } }, data: { status: "revoked", revokedAt: new Date() } });
    if (revoked.count !== 1) throw new ConflictError("This grant changed meanwhile.");
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "grant.revoke",
      target: { type: "agent", id: grant.agent.id },
      outcome: "success",
      reason,
      details: { grantId: grant.id, serverId: grant.serverId, was: grant.status },
    });
  });
}

/**
 * Grants waiting for an approver, oldest first, with the agent, the server and who asked.
 * Unscoped read: the caller checks "approvals.view".
 */
export async function pendingGrants() {
  const pending = await db().grant.findMany({
    where: { status: "pending" },
    orderBy: { requestedAt: "asc" },
    select: {
      id: true,
      tools: true,
      expiresAt: true,
      requestedAt: true,
      requestedById: true,
      agent: { select: { id: true, name: true, teamId: true, environment: true } },
      server: { select: { id: true, name: true, title: true, riskTier: true } },
    },
  });
  const person = await peopleById(pending.map((grant) => grant.requestedById));
  const teamName = await teamNamesById(pending.map((grant) => grant.agent.teamId));
  const tier = await governingRiskTiers(pending.map((grant) => grant.server.id));
  return pending.map((grant) => ({
    ...grant,
    server: { ...grant.server, riskTier: tier.get(grant.server.id) ?? null },
    teamName: teamName.get(grant.agent.teamId) ?? "unknown team",
    requestedBy: person(grant.requestedById),
  }));
}

export type PendingGrant = Awaited<ReturnType<typeof pendingGrants>>[number];

/** On the hot path: the servers (and tools; empty means all) the agent may use now. */
export async function activeGrants(agentId: string, now: Date = new Date()): Promise<{ serverId: string; tools: string[]; expiresAt: Date | null }[]> {
  return db().grant.findMany({
    where: { agentId, status: "active", OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    select: { serverId: true, tools: true, expiresAt: true },
  });
}

/**
 * The catalog servers a grant can name, for the grant form, each with the tier that governs access.
 * Unscoped read: the caller checks "agents.view".
 */
export async function grantableServers() {
  const servers = await db().server.findMany({ orderBy: { name: "asc" }, select: { id: true, name: true } });
  const tier = await governingRiskTiers(servers.map((server) => server.id));
  return servers.map((server) => ({ ...server, riskTier: tier.get(server.id) ?? null }));
}

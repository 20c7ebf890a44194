import { z } from "zod";
import { managedAgent, managedPart } from "@/lib/agents/managed";
import { authorizeOwned } from "@/lib/auth/access";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { isUniqueViolation } from "@/lib/db/unique-violation";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { safeName } from "@/lib/text/unsafe-text";
import { parseInput } from "@/lib/validation";

// Which agent an access token acts as: an administrator binds an issuer's client_id (the usual case: one
// OAuth client per agent) or sub (a service account) to an agent. One binding per (issuer, kind,
// subject), so a token always names at most one agent for each. A token whose client has no binding is
// refused with a message saying so (lib/identity/token-identity.ts), never served an empty list.

const bindInput = z.object({
  agentId: z.uuid({ error: "Unknown agent." }),
  issuerId: z.uuid({ error: "Unknown issuer." }),
  kind: z.enum(["client_id", "sub"], { error: 'Bind a "client_id" or a "sub".' }),
  subject: z.string({ error: "The client id or subject must be text." }).trim().min(1, "The client id or subject is required.").max(255, "The client id or subject must be at most 255 characters.").pipe(safeName("The client id or subject")),
});
const unbindInput = z.object({ bindingId: z.uuid({ error: "Unknown binding." }) });
const agentInput = z.object({ agentId: z.uuid({ error: "Unknown agent." }) });

/** Makes tokens of the issuer with this client_id (or sub) act as the agent. */
export async function bindTokenSubject(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "agent" });
  const data = parseInput(bindInput, input);
  const agent = await managedAgent(actor, data.agentId);
  const issuer = await db().trustedIssuer.findUnique({ where: { id: data.issuerId }, select: { id: true, issuer: true } });
  if (!issuer) throw new NotFoundError("That issuer is not registered.");
  try {
    return await db().$transaction(async (tx) => {
      const row = await tx.tokenBinding.create({
        data: { agentId: agent.id, issuerId: issuer.id, kind: data.kind, subject: data.subject, createdById: actor.id },
        select: { id: true, kind: true, subject: true, agentId: true, issuerId: true },
      });
      await recordAudit(tx, {
        actor: personActor(actor),
        action: "agent.token.bind",
        target: { type: "agent", id: agent.id },
        outcome: "success",
        details: { bindingId: row.id, issuer: issuer.issuer, kind: row.kind, subject: row.subject },
      });
      return row;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new ConflictError(`The ${data.kind} ${data.subject} of ${issuer.issuer} is already bound to an agent; unbind it there first.`);
  }
}

/** Stops the binding's tokens from acting as its agent. */
export async function unbindTokenSubject(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "agent" });
  const { bindingId } = parseInput(unbindInput, input);
  const binding = await managedPart(
    actor,
    await db().tokenBinding.findUnique({ where: { id: bindingId }, select: { id: true, kind: true, subject: true, issuer: { select: { issuer: true } }, agent: { select: { id: true, teamId: true } } } }),
    "That binding does not exist.",
  );
  await db().$transaction(async (tx) => {
    const removed = await tx.tokenBinding.deleteMany({ where: { id: binding.id } });
    if (removed.count !== 1) throw new ConflictError("That binding was removed meanwhile.");
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "agent.token.unbind",
      target: { type: "agent", id: binding.agent.id },
      outcome: "success",
      details: { bindingId: binding.id, issuer: binding.issuer.issuer, kind: binding.kind, subject: binding.subject },
    });
  });
  return { id: binding.id };
}

/** The agent's bindings, for its page. */
export async function tokenBindingsOf(actor: Actor, input: unknown) {
  await guard(actor, "identity.manage", { type: "agent" });
  const { agentId } = parseInput(agentInput, input);
  const agent = await managedAgent(actor, agentId);
  return db().tokenBinding.findMany({
    where: { agentId: agent.id },
    select: { id: true, kind: true, subject: true, createdAt: true, issuer: { select: { id: true, issuer: true, displayName: true, enabled: true } } },
    orderBy: { createdAt: "asc" },
  });
}

/**
 * What the agent's connection guide says of its bindings (issuer, its metadata, the client or subject),
 * for anyone who may see the agent: its owners connect it, while only administrators change bindings.
 */
export async function boundIssuersOf(actor: Actor, input: unknown) {
  const { agentId } = parseInput(agentInput, input);
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true, teamId: true } });
  if (!agent) throw new NotFoundError("Unknown agent.");
  await authorizeOwned(actor, "agent.view", agent, { type: "agent", id: agent.id });
  const rows = await db().tokenBinding.findMany({
    where: { agentId: agent.id },
    select: { kind: true, subject: true, issuer: { select: { issuer: true, metadataUrl: true, enabled: true } } },
    orderBy: { createdAt: "asc" },
  });
  return rows.map(({ kind, subject, issuer }) => ({ kind, subject, issuer: issuer.issuer, metadataUrl: issuer.metadataUrl, enabled: issuer.enabled }));
}

import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { assertNotOwner, refuseForSeparationOfDuties } from "@/lib/auth/access";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, NotFoundError } from "@/lib/errors";
import { getPolicy } from "@/lib/settings/policy";
import { parseInput } from "@/lib/validation";

// An approver approves or denies one waiting tool call. Separation of duties: nobody decides a call
// their own agent raised (they created the agent) or a call to a server they own.

const decisionInput = z
  .object({
    requestId: z.uuid({ error: "That is not an approval request id." }),
    decision: z.enum(["approve", "deny"], { error: "Choose approve or deny." }),
    reason: z.string({ error: "The reason must be text." }).trim().max(2000, "The reason must be at most 2000 characters.").default(""),
  })
  .refine((input) => input.decision === "approve" || input.reason.length > 0, { path: ["reason"], message: "Say why the call is denied." });

const stateWords = { approved: "already approved", denied: "already denied", used: "already approved and used", expired: "expired" } as const;

async function assertNotRaiser(actor: Actor, request: { id: string; agent: { createdById: string | null } }): Promise<void> {
  if (request.agent.createdById !== actor.id) return;
  await refuseForSeparationOfDuties(
    actor,
    "toolcall.decide",
    { type: "tool_call_approval", id: request.id },
    "raised by the approver's own agent",
    "Separation of duties: the request was raised by an agent you created, so you cannot decide it.",
  );
}

export async function decideToolCall(actor: Actor, input: unknown) {
  const { requestId, decision, reason } = parseInput(decisionInput, input);
  await guard(actor, "toolcalls.decide", { type: "tool_call_approval", id: requestId });
  const request = await db().toolCallApproval.findUnique({
    where: { id: requestId },
    select: { id: true, status: true, expiresAt: true, serverId: true, versionId: true, toolName: true, argumentsHash: true, userSubject: true, userName: true, agent: { select: { name: true, createdById: true } } },
  });
  if (!request) throw new NotFoundError(`There is no approval request ${requestId}.`);
  await assertNotRaiser(actor, request);
  await assertNotOwner(actor, request.serverId, "toolcall.decide");
  if (request.status !== "pending") throw new ConflictError(`Approval request ${requestId} is ${stateWords[request.status]}; nothing was changed.`);
  const validMinutes = await getPolicy("approvals.validMinutes");
  return db().$transaction(async (tx) => {
    const now = new Date();
    // Decided once: the status check and the write are one statement, so two approvers cannot both decide.
    const { count } = await tx.toolCallApproval.updateMany({
      where: { id: requestId, status: "pending", expiresAt: { gt: now } },
      data: {
        status: decision === "approve" ? "approved" : "denied",
        decidedById: actor.id,
        decidedAt: now,
        decisionReason: reason || null,
        validUntil: decision === "approve" ? new Date(now.getTime() + validMinutes * 60_000) : null,
      },
    });
    if (count === 0) {
      const expired = request.expiresAt <= now;
      throw new ConflictError(`Approval request ${requestId} ${expired ? "has expired" : "was decided meanwhile"}; nothing was changed.`);
    }
    await recordAudit(tx, {
      actor: personActor(actor),
      action: decision === "approve" ? "toolcall.approve" : "toolcall.deny",
      target: { type: "tool_call_approval", id: requestId },
      outcome: "success",
      reason: reason || null,
      details: {
        agent: request.agent.name,
        // The user the agent acted for, when it did (decision 026).
        ...(request.userSubject !== null ? { onBehalfOf: request.userName ?? request.userSubject, userSubject: request.userSubject } : {}),
        serverId: request.serverId,
        versionId: request.versionId,
        tool: request.toolName,
        argumentsHash: request.argumentsHash,
      },
    });
    return { id: requestId, status: decision === "approve" ? ("approved" as const) : ("denied" as const) };
  });
}

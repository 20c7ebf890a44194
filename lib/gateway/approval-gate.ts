import type { AgentIdentity } from "@/lib/agents/keys";
import { getPolicy } from "@/lib/settings/policy";
import { type ApprovalBinding, approvalState, claimApproval, noteAgentStoppedWaiting, noteAgentWaiting, openApprovalRequest } from "@/lib/tool-approvals/requests";
import { type ApprovalWatch, approvalPollMs, watchApproval } from "./approval-wakeups";
import type { CallRelay, LoggingLevel, RelayedNotification } from "./call-relay";
import type { ResolvedTool } from "./resolution";

// A call to a tool that needs a person: it proceeds with an approval given for exactly this call (used
// once), or opens a request and waits for the decision — telling the client it is still waiting — up
// to the policy's time budget. The approver's decision governs; the client cannot approve itself.

const progressEveryMs = 2_000;

export interface WaitHooks {
  /** An MCP progress notification, when the client asked for them with a progressToken. */
  progress?: (update: { progress: number; total: number; message: string }) => Promise<void>;
  /** The client gave up (cancelled or disconnected): stop waiting; the request stays open for a later repeat. */
  signal?: AbortSignal;
  /** Where the backend's progress and log messages about the call go (./call-relay.ts). */
  relay?: CallRelay;
}

export type GateOutcome =
  | { kind: "approved"; approvalId: string }
  | { kind: "denied"; approvalId: string; message: string }
  | { kind: "not_approved"; approvalId: string; message: string }
  /** No request was opened: the agent has too many waiting. */
  | { kind: "refused"; approvalId?: undefined; message: string };

/** The hooks for one request, given what its era's SDK offers: the request's progress token, the log level the client asked for, and a way to notify. */
export function waitHooks(progressToken: unknown, notify: (notification: RelayedNotification) => Promise<void>, signal?: AbortSignal, logLevel?: LoggingLevel, ask?: CallRelay["ask"]): WaitHooks {
  const token = typeof progressToken === "string" || typeof progressToken === "number" ? progressToken : undefined;
  const relay = token === undefined && logLevel === undefined && ask === undefined ? undefined : { progressToken: token, logLevel, notify, ask };
  return { signal, relay, progress: token === undefined ? undefined : (update) => notify({ method: "notifications/progress", params: { progressToken: token, ...update } }) };
}

async function waitForDecision(binding: ApprovalBinding, approvalId: string, hooks: WaitHooks): Promise<GateOutcome> {
  const budgetMs = (await getPolicy("approvals.waitSeconds")) * 1000;
  const started = Date.now();
  // The inbox shows the approver until when this call waits, and that it stopped waiting if it goes away early.
  const waitsUntil = new Date(started + budgetMs);
  await noteAgentWaiting(approvalId, waitsUntil);
  // Watched before the first read: a decision between a read and the sleep after it still wakes the call.
  const watch = watchApproval(approvalId);
  try {
    return await waitWatching(binding, approvalId, hooks, watch, started, budgetMs, waitsUntil);
  } finally {
    watch.close();
  }
}

async function waitWatching(binding: ApprovalBinding, approvalId: string, hooks: WaitHooks, watch: ApprovalWatch, started: number, budgetMs: number, waitsUntil: Date): Promise<GateOutcome> {
  let progressAt = -Infinity;
  let readAt = -Infinity;
  const notApproved = (message: string): GateOutcome => ({ kind: "not_approved", approvalId, message });
  for (;;) {
    const elapsed = Date.now() - started;
    const over = elapsed >= budgetMs || hooks.signal?.aborted === true;
    // Read when woken by a change, when the poll is due (slow while notifications arrive), and once more at the end.
    if (watch.consume() || elapsed - readAt >= approvalPollMs() || over) {
      readAt = elapsed;
      const state = await approvalState(approvalId);
      if (state.status === "approved") {
        const used = await claimApproval(binding, approvalId);
        return used ? { kind: "approved", approvalId } : notApproved(`Approval request ${approvalId} was used by another identical call; call again to ask for a new approval.`);
      }
      if (state.status === "denied") return { kind: "denied", approvalId, message: `The call was denied by ${state.decidedBy}: ${state.reason} (approval request ${approvalId}).` };
      if (state.status !== "pending") return notApproved(`Approval request ${approvalId} ${state.status === "expired" ? "expired without a decision" : "can no longer be used"}; call again to ask for a new approval.`);
    }
    if (over) {
      if (hooks.signal?.aborted) await noteAgentStoppedWaiting(approvalId, waitsUntil);
      return notApproved(
        `Approval request ${approvalId} is still waiting for a person. Call again with the same arguments once it is approved: the approval applies to this exact call, once, until it expires.`,
      );
    }
    if (elapsed - progressAt >= progressEveryMs) {
      progressAt = elapsed;
      const left = Math.ceil((budgetMs - elapsed) / 1000);
      // A client that went away must not stop the wait's bookkeeping.
      await hooks.progress?.({ progress: Math.floor(elapsed / 1000), total: budgetMs / 1000, message: `Waiting for approval ${approvalId} (${left} s left).` }).catch(() => undefined);
    }
    // Until the next read, progress message or the end of the budget, whichever comes first; a change wakes it sooner.
    const now = Date.now() - started;
    await watch.sleep(Math.max(0, Math.min(readAt + approvalPollMs(), progressAt + progressEveryMs, budgetMs) - now), hooks.signal);
  }
}

/** Lets the call through with an approval for exactly this call, or waits for one. */
export async function passApprovalGate(
  agent: AgentIdentity,
  tool: ResolvedTool,
  args: Record<string, unknown>,
  argumentsHash: string,
  correlationId: string,
  hooks: WaitHooks,
  /** Why the call needs a person, from the policies that decided it (./policy-decision.ts). */
  reason: string | null = tool.approvalReason,
): Promise<GateOutcome> {
  const user = agent.onBehalfOf ?? null;
  const binding: ApprovalBinding = {
    agentId: agent.agentId,
    serverId: tool.serverId,
    versionId: tool.versionId,
    toolName: tool.toolName,
    argumentsHash,
    userIssuer: user?.issuer ?? null,
    userSubject: user?.subject ?? null,
  };
  const ready = await claimApproval(binding);
  if (ready) return { kind: "approved", approvalId: ready };
  const request = await openApprovalRequest(binding, {
    agentLabel: `agent:${agent.name}`,
    userName: user?.name ?? null,
    arguments: args,
    riskTier: tool.riskTier,
    riskReason: reason ?? "This tool needs a human approval for each call.",
    correlationId,
  });
  if (request.kind === "over_cap") {
    return {
      kind: "refused",
      message: `approval cap: agent ${agent.name} already has ${request.cap} approval requests waiting for a person, the most an agent may have (approvals.maxPendingPerAgent); call again once some are decided or have expired.`,
    };
  }
  return waitForDecision(binding, request.id, hooks);
}

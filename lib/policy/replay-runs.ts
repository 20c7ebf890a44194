import { z } from "zod";
import { personActor, recordAudit } from "@/lib/audit/record";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import type { PolicyReplayStatus, Prisma } from "@/lib/generated/prisma/client";
import { getPolicy } from "@/lib/settings/policy";
import { parseInput } from "@/lib/validation";
import { checkPolicySet, type CompiledPolicySet } from "./policy-set";
import { activePolicySetRecord, getPolicySet } from "./policy-sets";
import { countReplayableCalls, replayCalls, type ReplayReport, type ReplaySet } from "./replay";

// A replay run (docs/decisions/030-policy-replay.md): started by a person, recorded as a
// policy_replays row, run in the background in the process that started it, its progress written
// after each page of calls and its report (or error) when it ends. The baseline is the set active
// when the run starts. A run that stopped reporting progress lost its process and is marked failed
// when read.

export interface ReplayRun {
  id: string;
  policySetId: string;
  windowFrom: Date;
  windowTo: Date;
  status: PolicyReplayStatus;
  processed: number;
  total: number;
  report: ReplayReport | null;
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export const defaultReplayDays = 7;
/** The largest audit retention (lib/settings/policy.ts); the retention in force may be shorter. */
const maxReplayDays = 3650;
/** A run that has not reported progress for this long lost its process (a page takes seconds). */
export const staleReplayMs = 5 * 60_000;
const dayMs = 24 * 3600 * 1000;

const replayId = z.uuid({ error: "Unknown replay." });
const setId = z.uuid({ error: "Unknown policy set." });
/** The body of a replay request. */
export const replayInput = z.strictObject(
  {
    days: z
      .number({ error: "The window must be a number of days." })
      .int("The window must be a whole number of days.")
      .min(1, "The window must be at least 1 day.")
      .max(maxReplayDays, `The window must be at most ${maxReplayDays} days.`)
      .default(defaultReplayDays),
  },
  { error: "Give the window as { days }." },
);

const runSelect = {
  id: true,
  policySetId: true,
  windowFrom: true,
  windowTo: true,
  status: true,
  processed: true,
  total: true,
  report: true,
  error: true,
  createdAt: true,
  finishedAt: true,
} satisfies Prisma.PolicyReplaySelect;

type RunRow = Prisma.PolicyReplayGetPayload<{ select: typeof runSelect }>;

function runOf(row: RunRow): ReplayRun {
  const { id, policySetId, windowFrom, windowTo, status, processed, total, error, createdAt, finishedAt } = row;
  // Written by runReplay from a ReplayReport, and by nothing else.
  return { id, policySetId, windowFrom, windowTo, status, processed, total, report: row.report as unknown as ReplayReport | null, error, createdAt, finishedAt };
}

const target = (id?: string) => ({ type: "policyReplay", id });

function compiled(number: number, text: string): CompiledPolicySet {
  const check = checkPolicySet(text);
  if (!check.ok) throw new ValidationError(`Policy set ${number} cannot be replayed until its problems are fixed: ${check.problems.map((problem) => problem.message).join("; ")}`);
  return check.policySet;
}

/**
 * The window the replay reads: the last `days` days, refused past the audit retention (what is not kept
 * cannot be replayed), and starting no earlier than the oldest event held, so the report states the
 * window it really covered.
 */
async function replayWindow(days: number): Promise<{ from: Date; to: Date }> {
  const [retentionDays, oldest] = await Promise.all([
    getPolicy("audit.retentionDays"),
    db().auditEvent.findFirst({ orderBy: { occurredAt: "asc" }, select: { occurredAt: true } }),
  ]);
  if (days > retentionDays) {
    throw new ValidationError(`A window of ${days} days reaches beyond the audit retention of ${retentionDays} days: replay at most ${retentionDays} days.`, {
      days: [`At most ${retentionDays} days (the audit retention).`],
    });
  }
  if (!oldest) throw new ValidationError("No audit events are held yet: there are no calls to replay.");
  const to = new Date();
  const from = new Date(Math.max(to.getTime() - days * dayMs, oldest.occurredAt.getTime()));
  return { from, to };
}

/** Marks failed the runs whose process ended before they did. */
async function failStaleRuns(where: Prisma.PolicyReplayWhereInput): Promise<void> {
  await db().policyReplay.updateMany({
    where: { ...where, status: { in: ["queued", "running"] }, updatedAt: { lt: new Date(Date.now() - staleReplayMs) } },
    data: { status: "failed", error: "The replay stopped: the process running it ended before it finished. Start it again.", finishedAt: new Date() },
  });
}

/** Starts a replay of the candidate against the active set over the last `days` days; it runs in the background. */
export async function startReplay(actor: Actor, policySetId: unknown, input: unknown): Promise<ReplayRun> {
  await guard(actor, "policies.view", target());
  const { days } = parseInput(replayInput, input ?? {});
  const candidate = await getPolicySet(actor, parseInput(setId, policySetId));
  const candidateSet = compiled(candidate.number, candidate.text);
  const active = await activePolicySetRecord();
  const baselineSet = compiled(active.number, active.text);
  const { from: windowFrom, to: windowTo } = await replayWindow(days);
  await failStaleRuns({});
  const running = await db().policyReplay.findFirst({ where: { status: { in: ["queued", "running"] } }, select: { policySet: { select: { number: true } } } });
  if (running) throw new ConflictError(`A replay of policy set ${running.policySet.number} is still running; start this one when it has finished.`);

  const row = await db().$transaction(async (tx) => {
    const created = await tx.policyReplay.create({
      data: { policySetId: candidate.id, baselineSetId: active.id, windowFrom, windowTo, status: "queued", requestedById: actor.id },
      select: runSelect,
    });
    await recordAudit(tx, {
      actor: personActor(actor),
      action: "policy.replay",
      target: target(created.id),
      outcome: "success",
      details: { policySetId: candidate.id, number: candidate.number, hash: candidate.hash, baselineNumber: active.number, baselineHash: active.hash, days },
    });
    return created;
  });
  void runReplay(row.id, {
    candidate: { id: candidate.id, number: candidate.number, policySet: candidateSet },
    baseline: { id: active.id, number: active.number, policySet: baselineSet },
    from: windowFrom,
    to: windowTo,
  });
  return runOf(row);
}

/** The run itself; everything it learns goes to its row, as nobody awaits it. */
async function runReplay(id: string, sets: { candidate: ReplaySet; baseline: ReplaySet; from: Date; to: Date }): Promise<void> {
  const update = (data: Prisma.PolicyReplayUpdateManyMutationInput) => db().policyReplay.updateMany({ where: { id, status: { in: ["queued", "running"] } }, data });
  try {
    const total = await countReplayableCalls(sets.from, sets.to);
    await update({ status: "running", total });
    const report = await replayCalls({ ...sets, onProgress: async (processed) => {
        await update({ processed, total: Math.max(total, processed) });
      },
    });
    await update({ status: "done", processed: report.calls, total: report.calls, report: report as unknown as Prisma.InputJsonValue, finishedAt: new Date() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await update({ status: "failed", error: `The replay failed: ${message}`, finishedAt: new Date() }).catch(() => undefined);
  }
}

export async function getReplay(actor: Actor, id: unknown): Promise<ReplayRun> {
  await guard(actor, "policies.view", target());
  const replay = parseInput(replayId, id);
  await failStaleRuns({ id: replay });
  const row = await db().policyReplay.findUnique({ where: { id: replay }, select: runSelect });
  if (!row) throw new NotFoundError("That replay does not exist.");
  return runOf(row);
}

/** The policy set's newest replay, or null when it was never replayed. */
export async function latestReplay(actor: Actor, policySetId: unknown): Promise<ReplayRun | null> {
  const set = await getPolicySet(actor, policySetId);
  await failStaleRuns({ policySetId: set.id });
  const row = await db().policyReplay.findFirst({ where: { policySetId: set.id }, orderBy: { createdAt: "desc" }, select: runSelect });
  return row ? runOf(row) : null;
}

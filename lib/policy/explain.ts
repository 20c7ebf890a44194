import { z } from "zod";
import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError, ValidationError } from "@/lib/errors";
import { hasUnsafeCharacters } from "@/lib/text/unsafe-text";
import { parseInput, queryText } from "@/lib/validation";
import { type Decision, decideUncached } from "./engine";
import { checkPolicySet } from "./policy-set";
import { activePolicySetRecord, getPolicySet } from "./policy-sets";
import { policyAgentOfRow, policyToolOf } from "./tool-facts";

// "Why": what a policy set (the active one unless named) decides for one agent calling one tool, and
// the policies that decided it. The tool is the version pinned in the agent's environment, its facts
// and the agent's built as the gateway builds them (./tool-facts.ts). The agent's scopes come with
// its key or token, which a question does not have: none are assumed.

export interface Explanation {
  decision: Decision;
  policyIds: string[];
  errors: { policyId: string; message: string }[];
  policySet: { id: string; number: number; hash: string };
  agent: { id: string; name: string };
  tool: { server: string; name: string; version: string };
}

/** The largest arguments a question may carry, in bytes of JSON: as a call's. */
export const maxExplainArgumentsBytes = 64 * 1024;

/** True when any string of the value, keys included, holds a control or bidi-override character (line breaks allowed). */
function holdsUnsafeText(value: unknown): boolean {
  if (typeof value === "string") return hasUnsafeCharacters(value);
  if (Array.isArray(value)) return value.some(holdsUnsafeText);
  if (value !== null && typeof value === "object") return Object.entries(value).some(([key, item]) => hasUnsafeCharacters(key) || holdsUnsafeText(item));
  return false;
}

const argumentsInput = z
  .record(z.string(), z.unknown(), { error: "The arguments must be a JSON object." })
  .refine((args) => Buffer.byteLength(JSON.stringify(args), "utf8") <= maxExplainArgumentsBytes, `The arguments must be at most ${maxExplainArgumentsBytes / 1024} KB of JSON.`)
  .refine((args) => !holdsUnsafeText(args), "The arguments must not contain control or bidirectional-override characters.");

/** A question: which agent, which server and tool, and optionally the arguments, the time and the set. */
export const explainInput = z.strictObject(
  {
    agent: queryText("The agent", 200).pipe(z.string().min(1, "Name the agent (its id or name).")),
    server: queryText("The server", 200).pipe(z.string().min(1, "Name the server.")),
    tool: queryText("The tool", 200).pipe(z.string().min(1, "Name the tool.")),
    arguments: argumentsInput.optional(),
    at: z.iso.datetime({ offset: true, error: "The time must be an ISO 8601 date-time, e.g. 2026-11-30T14:00:00Z." }).optional(),
    policySetId: z.uuid({ error: "Unknown policy set." }).optional(),
  },
  { error: "Give the agent, the server and the tool." },
);

const uuid = z.uuid();

export async function explainDecision(actor: Actor, input: unknown): Promise<Explanation> {
  await guard(actor, "policies.view", { type: "policySet" });
  const question = parseInput(explainInput, input);
  const agentSelect = { id: true, name: true, teamId: true, environment: true } as const;
  const agent = await db().agent.findFirst({
    where: uuid.safeParse(question.agent).success ? { OR: [{ id: question.agent }, { name: question.agent }] } : { name: question.agent },
    select: agentSelect,
  });
  if (!agent) throw new NotFoundError(`No agent is named ${question.agent}.`);
  const server = await db().server.findUnique({ where: { name: question.server }, select: { id: true, name: true, classification: true, approvalTools: true } });
  if (!server) throw new NotFoundError(`No server is named ${question.server}.`);
  const pin = await db().pin.findUnique({
    where: { serverId_environment: { serverId: server.id, environment: agent.environment } },
    select: { version: { select: { id: true, version: true, status: true, riskTier: true, approvalTools: true, tools: { where: { name: question.tool }, select: { name: true, annotations: true } } } } },
  });
  if (!pin) throw new NotFoundError(`No version of ${server.name} is pinned in ${agent.environment}, the environment of agent ${agent.name}.`);
  const tool = pin.version.tools[0];
  if (!tool) throw new NotFoundError(`Version ${pin.version.version} of ${server.name}, pinned in ${agent.environment}, has no tool ${question.tool}.`);

  const record = question.policySetId ? await getPolicySet(actor, question.policySetId) : await activePolicySetRecord();
  const check = checkPolicySet(record.text);
  if (!check.ok) throw new ValidationError(`Policy set ${record.number} cannot decide until its problems are fixed: ${check.problems.map((problem) => problem.message).join("; ")}`);

  // A question is asked once: evaluated, not remembered among the gateway's decisions.
  const result = decideUncached(check.policySet, {
    agent: policyAgentOfRow(agent),
    tool: policyToolOf(server, pin.version, tool),
    action: "tools/call",
    call: { at: question.at ? new Date(question.at) : new Date(), ...(question.arguments ? { arguments: question.arguments } : {}) },
  });
  return {
    decision: result.decision,
    policyIds: [...result.policyIds],
    errors: result.errors.map(({ policyId, message }) => ({ policyId, message })),
    policySet: { id: record.id, number: record.number, hash: record.hash },
    agent: { id: agent.id, name: agent.name },
    tool: { server: server.name, name: tool.name, version: pin.version.version },
  };
}

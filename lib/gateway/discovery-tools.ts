import { z } from "zod";
import type { AgentIdentity } from "@/lib/agents/keys";
import { discoveryTools, searchEntry } from "@/lib/discovery/meta-tools";
import { searchTools } from "@/lib/discovery/search";
import { ValidationError } from "@/lib/errors";
import { isPlainObject } from "@/lib/json/plain-object";
import { hasUnsafeCharacters, replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import type { CallResult } from "./backend-exchange";
import { explainRefusalAt } from "./endpoint-view";
import { type GatewayEndpoint, shownName } from "./endpoints";
import { GatewayRefusal } from "./gateway-refusal";
import { consumeCallBudget } from "./limits";
import { decideFor, denialMessage, policyAgentOf } from "./policy-decision";
import { type AgentView, explainRefusal, type ResolvedTool, stoppedToolCode, unknownToolCode } from "./resolution";

// Discovery mode (issue #19, item 3; docs/decisions/034-discovery-mode.md): an agent's tools/list shows
// three meta-tools (lib/discovery/meta-tools.ts) instead of every schema. search_tools ranks only what
// tools/list would have shown at that endpoint (lib/discovery/search.ts), describe_tool gives one of those
// tools' listed definition, and call_tool runs one through callGatewayTool, every check and audit as for a
// direct call. The mode is the agent's setting (agents.tool_discovery, in its cached view) unless the
// request's URL asks with `?tools=search` or `?tools=all`.

export type ToolsMode = "all" | "search";

export type ToolsModeAsked = { mode: ToolsMode | null } | { refusal: string };

const notAsked: ToolsModeAsked = { mode: null };

/** What the URL's `tools` query parameter asks tools/list to show: null when it asks nothing, or why it is refused. */
export function toolsModeAsked(url: string): ToolsModeAsked {
  const start = url.indexOf("?");
  // Most requests have no query: no parsing for them.
  if (start < 0) return notAsked;
  const end = url.indexOf("#", start);
  const values = new URLSearchParams(url.slice(start + 1, end < 0 ? undefined : end)).getAll("tools");
  if (values.length === 0) return notAsked;
  if (values.length > 1) return { refusal: "Send the tools query parameter once: ?tools=search (the discovery meta-tools) or ?tools=all (every tool)." };
  const [value] = values;
  if (value === "search" || value === "all") return { mode: value };
  return { refusal: `"${shownName(value!)}" is not a value of the tools query parameter: use ?tools=search (the discovery meta-tools) or ?tools=all (every tool).` };
}

// The edge's identities are cached per credential (./agent-cache.ts), so the copy for a mode is too: the
// same request twice gets the same object, and the caches keyed by identity (policyAgentOf) keep working.
const withMode = new WeakMap<AgentIdentity, Partial<Record<ToolsMode, AgentIdentity>>>();

/** The agent as a request that asked for `mode` acts: the same identity, with its tools/list mode set. */
export function withToolsMode(agent: AgentIdentity, mode: ToolsMode): AgentIdentity {
  let copies = withMode.get(agent);
  if (!copies) withMode.set(agent, (copies = {}));
  return (copies[mode] ??= { ...agent, toolsMode: mode });
}

/** Whether this request is served in discovery mode: what its URL asked, else the agent's setting. */
export function inDiscoveryMode(agent: AgentIdentity, view: AgentView): boolean {
  return (agent.toolsMode ?? view.toolDiscovery) === "search";
}

const metaToolNames: ReadonlySet<string> = new Set(discoveryTools.map((tool) => tool.name));

/**
 * Whether a tools/call of `name` is one of the meta-tools'. In discovery mode they win over a tool of the
 * same name at an entry or bundle endpoint: the listing shows the meta-tool under that name, so that is
 * what the name calls; call_tool still reaches the other.
 */
export function isMetaToolCall(agent: AgentIdentity, view: AgentView, name: string): boolean {
  return metaToolNames.has(name) && inDiscoveryMode(agent, view);
}

/**
 * The tool a tools/call of `name` runs, for the checks made before the call (scopes, the lean path's
 * approval test): for call_tool in discovery mode the tool it names, null for search_tools and
 * describe_tool (they run none), otherwise `name`.
 */
export function toolCalledBy(agent: AgentIdentity, view: AgentView, name: string, args: unknown): string | null {
  if (!isMetaToolCall(agent, view, name)) return name;
  if (name !== "call_tool") return null;
  const inner = isPlainObject(args) ? args.name : undefined;
  return typeof inner === "string" ? inner : null;
}

/** The tools tools/list shows at this view: those the active policy set does not forbid the agent to list. */
export function listableTools(agent: AgentIdentity, view: AgentView): ResolvedTool[] {
  const policyAgent = policyAgentOf(agent);
  const at = new Date();
  return view.tools.filter((tool) => decideFor(view.policySet, policyAgent, tool, "tools/list", at).decision !== "deny");
}

interface ListedMetaTool {
  name: string;
  title: string;
  description: string;
  inputSchema: { type: "object"; [key: string]: unknown };
  annotations?: Record<string, unknown>;
}

// A copy, so no answer's consumer can reach the definitions the benchmark counts.
const metaListing: { tools: ListedMetaTool[] } = { tools: structuredClone(discoveryTools) as unknown as ListedMetaTool[] };

/** tools/list in discovery mode (the three meta-tools, one page), or null when the request is not in it. */
export function discoveryToolList(agent: AgentIdentity, view: AgentView, cursor: string | undefined): { tools: ListedMetaTool[] } | null {
  if (!inDiscoveryMode(agent, view)) return null;
  // No cursor was handed out in this mode.
  if (cursor !== undefined) throw new GatewayRefusal("Invalid params: params.cursor is not a cursor this gateway handed out.");
  return metaListing;
}

/** What the meta-tool's call event records beside the caller's (the fields of callGatewayTool's outcome it may set). */
interface MetaOutcome {
  decision: "allowed" | "refused" | "failed";
  reason?: string;
  details?: Record<string, string>;
}

export interface MetaToolCall {
  agent: AgentIdentity;
  view: AgentView;
  name: string;
  args: Record<string, unknown>;
  endpoint: GatewayEndpoint | null;
  outcome: MetaOutcome;
  /** callGatewayTool for the tool call_tool names, its event marked as made via call_tool. */
  call: (name: string, args: Record<string, unknown>) => Promise<CallResult>;
  /** A tool as tools/list shows it. */
  describe: (tool: ResolvedTool) => Record<string, unknown>;
}

const maxNameLength = 256;

const toolNameArgument = z
  .string({ error: "name must be the name of a tool, as search_tools listed it." })
  .min(1, "name must not be empty.")
  .max(maxNameLength, `name must be at most ${maxNameLength} characters.`)
  .refine((name) => !hasUnsafeCharacters(name, { singleLine: true }), "name must not contain control or bidirectional-override characters.");

const describeInput = z.strictObject({ name: toolNameArgument }, { error: (issue) => (issue.code === "unrecognized_keys" ? `describe_tool takes only name; not ${issue.keys.join(", ")}.` : undefined) });
const callInput = z.strictObject(
  {
    name: toolNameArgument,
    arguments: z.custom<Record<string, unknown>>((value) => value === undefined || isPlainObject(value), "arguments must be an object of the tool's arguments.").optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `call_tool takes only name and arguments; not ${issue.keys.join(", ")}.` : undefined) },
);

function toolError(text: string): CallResult {
  return { content: [{ type: "text", text }], isError: true };
}

/** Bad input to a meta-tool: answered as a tool error the model can read and correct, audited as refused. */
function badInput(outcome: MetaOutcome, tool: string, message: string): CallResult {
  outcome.reason = `${tool}: ${message}`;
  return toolError(`${tool}: ${message}`);
}

function structured(answer: Record<string, unknown>): CallResult {
  return { content: [{ type: "text", text: JSON.stringify(answer) }], structuredContent: answer };
}

function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "invalid arguments.";
}

/** One call of a meta-tool (the caller audits it as a tools/call of that name, with what `outcome` says). */
export async function answerMetaTool(call: MetaToolCall): Promise<CallResult> {
  const { agent, name } = call;
  if (name !== "call_tool") {
    // Searching and describing are the agent's calls too: a flood of them is held to its rate limit and quota.
    const budget = await consumeCallBudget(agent.agentId, name);
    if (!budget.allowed) throw new GatewayRefusal(budget.reason, -32000);
  }
  if (name === "search_tools") return searchAnswer(call);
  if (name === "describe_tool") return describeAnswer(call);
  return callAnswer(call);
}

async function searchAnswer({ agent, view, args, outcome }: MetaToolCall): Promise<CallResult> {
  const unknown = Object.keys(args).filter((key) => key !== "query" && key !== "limit");
  if (unknown.length) return badInput(outcome, "search_tools", `search_tools takes only query and limit; not ${unknown.map(shownName).join(", ")}.`);
  // What was asked is not recorded, only how long it was (decision 034); the outcome says what came of it.
  if (typeof args.query === "string") outcome.details = { queryChars: String(args.query.length) };
  let found;
  try {
    found = await searchTools(listableTools(agent, view), args.query, { limit: args.limit });
  } catch (error) {
    if (error instanceof ValidationError) return badInput(outcome, "search_tools", error.message);
    throw error;
  }
  const tools = found.tools.map((tool) => searchEntry({ name: tool.exposedName, title: tool.title, description: tool.description }));
  outcome.decision = "allowed";
  outcome.details = { ...outcome.details, results: String(tools.length), ranking: found.ranking };
  return structured(found.notice ? { tools, notice: found.notice } : { tools });
}

/** Refuses a tool the agent may not use as a call of it is refused: the same words and code, the reason audited. */
async function refuseAsCall(agent: AgentIdentity, endpoint: GatewayEndpoint | null, name: string, outcome: MetaOutcome): Promise<never> {
  const { toAgent, code, toAudit } = endpoint ? await explainRefusalAt(agent.agentId, endpoint, name) : await explainRefusal(agent.agentId, name);
  outcome.reason = toAudit;
  throw new GatewayRefusal(toAgent, code);
}

async function describeAnswer({ agent, view, args, endpoint, outcome, describe }: MetaToolCall): Promise<CallResult> {
  const input = describeInput.safeParse(args);
  if (!input.success) return badInput(outcome, "describe_tool", firstIssue(input.error));
  const { name } = input.data;
  outcome.details = { describes: replaceUnsafeCharacters(name) };
  const tool = view.toolsByName.get(name);
  if (!tool) return refuseAsCall(agent, endpoint, name, outcome);
  const policyAgent = policyAgentOf(agent);
  const at = new Date();
  // Refused with the words a call of it gets; then, a tool policy hides from tools/list is hidden here too.
  const policy = decideFor(view.policySet, policyAgent, tool, "tools/call", at);
  if (policy.decision === "deny") {
    outcome.reason = denialMessage(policy, name);
    outcome.details.policyIds = policy.policyIds.join(",");
    throw new GatewayRefusal(outcome.reason, stoppedToolCode);
  }
  if (decideFor(view.policySet, policyAgent, tool, "tools/list", at).decision === "deny") {
    outcome.reason = `${name} is hidden from this agent's tools/list by policy`;
    throw new GatewayRefusal(`no such tool: ${name}`, unknownToolCode);
  }
  outcome.decision = "allowed";
  outcome.details.server = tool.serverName;
  const definition = describe(tool);
  return structured(definition);
}

async function callAnswer({ args, outcome, call }: MetaToolCall): Promise<CallResult> {
  const input = callInput.safeParse(args);
  if (!input.success) return badInput(outcome, "call_tool", firstIssue(input.error));
  outcome.details = { calls: replaceUnsafeCharacters(input.data.name) };
  // The inner call is checked, approved, forwarded and audited as a direct call; a refusal goes out as its own.
  const result = await call(input.data.name, input.data.arguments ?? {});
  outcome.decision = "allowed";
  return result;
}

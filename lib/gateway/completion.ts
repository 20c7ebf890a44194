import { CompleteResultSchema } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import type { AgentIdentity } from "@/lib/agents/keys";
import { forwardToBackend } from "./backends";
import { completionParams } from "./completion-input";
import { decideDefinition } from "./definition-policy";
import { audited, driftedItem, type Outcome, refuse } from "./definitions-server";
import { viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { parseNamespacedToolName } from "./namespacing";
import { stoppedToolCode } from "./resolution";
import type { ResolvedPrompt, ResolvedResourceTemplate } from "./resource-view";

// completion/complete (decision 034): argument suggestions for a prompt or a resource template the agent
// may use at this endpoint, checked as prompts/get and resources/read are (the view: grant of the whole
// entry, pin, kill switch, drift; then policy, as a get or a read), forwarded to the backend under the
// prompt's or template's own name, audited as gateway.completion/complete. A completion reveals values
// the backend would serve, so it is allowed exactly where getting the prompt or reading the template is.

/** The spec's cap on one answer's values. */
export const maxCompletionValues = 100;

type CompleteResult = z.infer<typeof CompleteResultSchema>;

/** Where the reference points: the prompt by the name this endpoint lists, or the template by its URI template. */
type Target = { kind: "prompt"; prompt: ResolvedPrompt } | { kind: "template"; template: ResolvedResourceTemplate };

export function completeGateway(agent: AgentIdentity, params: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<CompleteResult> {
  const raw = (params as { ref?: { name?: unknown; uri?: unknown } } | null)?.ref;
  const item = typeof raw?.name === "string" ? raw.name : typeof raw?.uri === "string" ? raw.uri : "";
  return audited(agent, "completion/complete", item, correlationId, async (outcome) => {
    // The edge screened the shape (./completion-input.ts); parsed again for its types.
    const parsed = completionParams.safeParse(params);
    if (!parsed.success) refuse(outcome, `Invalid params: ${parsed.error.issues[0]!.message}.`);
    const { ref, argument, context } = parsed.data;
    const view = await viewAt(agent.agentId, endpoint);
    outcome.policySet = view.policySet.hash;
    outcome.details = { argument: argument.name, valueChars: String(argument.value.length) };
    const target = ref.type === "ref/prompt" ? await promptTarget(agent, view.definitions.promptsByName.get(ref.name), ref.name, outcome) : await templateTarget(agent, view.definitions.templates, ref.uri, outcome);
    const source = target.kind === "prompt" ? target.prompt : target.template;
    outcome.source = source;
    const declared = target.kind === "prompt" ? target.prompt.arguments.map((arg) => arg.name) : target.template.template.variableNames;
    const shown = ref.type === "ref/prompt" ? `prompt ${ref.name}` : `resource template ${ref.uri}`;
    const undeclared = [argument.name, ...Object.keys(context?.arguments ?? {})].find((name) => !declared.includes(name));
    if (undeclared !== undefined) refuse(outcome, `Invalid params: ${shown} has no argument ${JSON.stringify(undeclared)}; it takes ${declared.join(", ") || "none"}.`);
    const kind = target.kind === "prompt" ? "prompt" : "resource_template";
    const key = target.kind === "prompt" ? target.prompt.promptName : target.template.uriTemplate;
    const policy = decideDefinition(view, agent, source, kind, key, target.kind === "prompt" ? "prompts/get" : "resources/read");
    if (policy.decision === "deny") {
      outcome.details.policyIds = policy.policyIds.join(",");
      refuse(outcome, `Policy denies completing ${shown}.`, stoppedToolCode);
    }
    const backend = view.backends.get(source.serverId)!;
    // The backend hears its own names: the prompt unprefixed, the template as it declared it.
    const forwarded = { ref: target.kind === "prompt" ? { type: "ref/prompt", name: key } : { type: "ref/resource", uri: key }, argument, ...(context ? { context } : {}) };
    const label = target.kind === "prompt" ? `prompt ${key}` : `resource template ${key}`;
    const result = await forwardToBackend(backend, { method: "completion/complete", params: forwarded }, CompleteResultSchema, { agent, drift: { key: `${kind} ${key}`, label } });
    return capped(result, outcome);
  });
}

async function promptTarget(agent: AgentIdentity, prompt: ResolvedPrompt | undefined, name: string, outcome: Outcome): Promise<Target> {
  if (prompt) return { kind: "prompt", prompt };
  const named = parseNamespacedToolName(name);
  const drifted = named && (await driftedItem(agent, ["prompt"], (key) => key === named.tool, named.server));
  if (drifted) refuse(outcome, drifted, stoppedToolCode);
  return refuse(outcome, `no such prompt: ${name}`);
}

async function templateTarget(agent: AgentIdentity, templates: ResolvedResourceTemplate[], uri: string, outcome: Outcome): Promise<Target> {
  // A template is named by its URI template; two servers declaring the same one leave it ambiguous.
  const matching = templates.filter((template) => template.uriTemplate === uri);
  if (matching.length === 1) return { kind: "template", template: matching[0]! };
  if (matching.length > 1) refuse(outcome, `Resource template ${uri} is declared by more than one server this agent may read (${matching.map((t) => t.serverName).join(", ")}); the gateway completes it for neither.`);
  const drifted = await driftedItem(agent, ["resource_template"], (key) => key === uri);
  if (drifted) refuse(outcome, drifted, stoppedToolCode);
  return refuse(outcome, `no such resource template: ${uri}`);
}

function capped(result: CompleteResult, outcome: Outcome): CompleteResult {
  const answer = cappedCompletion(result);
  (outcome.details ??= {}).values = String(answer.completion.values.length);
  return answer;
}

/** At most 100 values, as the spec caps them; `hasMore` says when some were left out. */
export function cappedCompletion(result: CompleteResult): CompleteResult {
  const { values } = result.completion;
  if (values.length <= maxCompletionValues) return result;
  return { ...result, completion: { ...result.completion, values: values.slice(0, maxCompletionValues), hasMore: true } };
}

import type { AgentIdentity } from "@/lib/agents/keys";
import { type ServedBundle, servedBundle } from "./served-bundles";
import type { GatewayEndpoint } from "./endpoints";
import { namespacedToolName } from "./namespacing";
import { type DefinitionsView, emptyDefinitionsView } from "./resource-view";
import { type AgentView, explainRefusal, type RefusalExplanation, type ResolvedTool, resolveAgentView, unknownToolCode } from "./resolution";

// What an endpoint other than /mcp serves: the agent's cached view (./resolution.ts), filtered, never
// resolved again, so every check that shaped the view (kill switch, grant, pin, drift) holds here as at
// /mcp, and policy decides each request as it does there. A narrowed view is made once per view and
// endpoint and dropped with the view it came from (a WeakMap on it), so a request costs what one at /mcp
// costs plus a map lookup.
//
// Names (docs/decisions/033-endpoints-per-entry-and-bundle.md): at /mcp/servers/{name} a tool is named
// as its server declares it, without the prefix /mcp needs to keep the servers' tools apart; at
// /mcp/bundles/{name} likewise, unless two of the bundle's tools share a name (./bundle-names.ts).
// A bundle serves only tools already in the agent's view: it never widens access.

const narrowedViews = new WeakMap<AgentView, Map<string, AgentView>>();
/** The name each narrowed copy has at /mcp: rate limits count a tool once, whichever endpoint calls it. */
const canonicalNames = new WeakMap<ResolvedTool, string>();

/** The view as `endpoint` serves it (null: /mcp, the whole view). */
export function viewAt(agentId: string, endpoint: GatewayEndpoint | null): Promise<AgentView> {
  const view = resolveAgentView(agentId);
  if (endpoint === null) return view;
  if (endpoint.kind === "server") return view.then((whole) => narrowedView(whole, endpoint, null));
  return Promise.all([view, servedBundle(endpoint.name)]).then(([whole, bundle]) => narrowedView(whole, endpoint, bundle));
}

/** The tool's name at /mcp, whatever endpoint's view it came from. */
export function canonicalToolName(tool: ResolvedTool): string {
  return canonicalNames.get(tool) ?? tool.exposedName;
}

function narrowedView(view: AgentView, endpoint: GatewayEndpoint, bundle: ServedBundle | null): AgentView {
  let byEndpoint = narrowedViews.get(view);
  if (!byEndpoint) narrowedViews.set(view, (byEndpoint = new Map()));
  // A bundle's certified version may change while a view stays: the version is part of the key.
  const key = endpoint.kind === "server" ? `server ${endpoint.name}` : `bundle ${endpoint.name} ${bundle?.versionId ?? "-"}`;
  let narrowed = byEndpoint.get(key);
  if (!narrowed) byEndpoint.set(key, (narrowed = endpoint.kind === "server" ? narrowToServer(view, endpoint.name) : narrowToBundle(view, bundle)));
  return narrowed;
}

function renamed(tool: ResolvedTool, exposedName: string): ResolvedTool {
  const copy = { ...tool, exposedName };
  canonicalNames.set(copy, tool.exposedName);
  return copy;
}

const byCodePoint = (a: ResolvedTool, b: ResolvedTool) => (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0);

function narrowToServer(view: AgentView, name: string): AgentView {
  const narrowed = withTools(view, view.tools.filter((tool) => tool.serverName === name).map((tool) => renamed(tool, tool.toolName)));
  narrowed.definitions = definitionsOfServer(view.definitions, name);
  for (const [serverId, backend] of view.backends) if (backend.serverName === name) narrowed.backends.set(serverId, backend);
  return narrowed;
}

/**
 * The entry's own resources, templates and prompts, prompts named as the server declares them. A URI two of
 * the agent's servers declare stays refused here too, naming them: the view keeps no copy of either.
 */
function definitionsOfServer(definitions: DefinitionsView, name: string): DefinitionsView {
  const resources = definitions.resources.filter((resource) => resource.serverName === name);
  const prompts = definitions.prompts.filter((prompt) => prompt.serverName === name).map((prompt) => ({ ...prompt, exposedName: prompt.promptName }));
  prompts.sort((a, b) => (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0));
  return {
    resources,
    resourcesByUri: new Map(resources.map((resource) => [resource.uri, resource])),
    ambiguousUris: new Map([...definitions.ambiguousUris].filter(([, servers]) => servers.includes(name))),
    templates: definitions.templates.filter((template) => template.serverName === name),
    prompts,
    promptsByName: new Map(prompts.map((prompt) => [prompt.exposedName, prompt])),
  };
}

function narrowToBundle(view: AgentView, bundle: ServedBundle | null): AgentView {
  const tools: ResolvedTool[] = [];
  if (bundle) {
    for (const tool of view.tools) {
      const exposedName = bundle.exposedByCanonical.get(tool.exposedName);
      if (exposedName !== undefined) tools.push(renamed(tool, exposedName));
    }
  }
  // A bundle is a set of tools: its endpoint serves no resources or prompts.
  return { ...withTools(view, tools), definitions: emptyDefinitionsView() };
}

function withTools(view: AgentView, tools: ResolvedTool[]): AgentView {
  tools.sort(byCodePoint);
  const backends = new Map([...view.backends].filter(([serverId]) => tools.some((tool) => tool.serverId === serverId)));
  return { ...view, tools, toolsByName: new Map(tools.map((tool) => [tool.exposedName, tool])), backends };
}

/**
 * Why the agent may not use this endpoint at all (audited at the edge), or null when it may: an entry it
 * holds an active grant for (with a version pinned in its environment), or a certified bundle of its own team.
 */
export async function endpointRefusal(agent: AgentIdentity, endpoint: GatewayEndpoint): Promise<string | null> {
  // One answer for what does not exist and for what the agent may not use: it learns nothing about
  // other teams' bundles or entries it holds no grant for.
  if (endpoint.kind === "server") {
    const view = await resolveAgentView(agent.agentId);
    return view.grantedServers.has(endpoint.name) ? null : `No catalog entry ${endpoint.name} is available to this agent at ${endpoint.path}.`;
  }
  const bundle = await servedBundle(endpoint.name);
  return bundle?.teamId === agent.teamId ? null : `No bundle ${endpoint.name} is available to this agent at ${endpoint.path}.`;
}

const toolNamePattern = /^[A-Za-z0-9_.-]{1,128}$/;

/** The name at /mcp of what the agent asked for at `endpoint`, or null when it names nothing there. */
async function canonicalNameAt(endpoint: GatewayEndpoint, name: string): Promise<string | null> {
  if (!toolNamePattern.test(name)) return null;
  if (endpoint.kind === "server") return namespacedToolName(endpoint.name, name);
  return (await servedBundle(endpoint.name))?.canonicalByExposed.get(name) ?? null;
}

/** explainRefusal for a name the agent sent at `endpoint`: the agent hears its own name back, the audit gets the reason. */
export async function explainRefusalAt(agentId: string, endpoint: GatewayEndpoint, name: string): Promise<RefusalExplanation> {
  const canonical = await canonicalNameAt(endpoint, name);
  if (canonical === null) {
    const message = `no such tool: ${name}`;
    return { toAgent: message, code: unknownToolCode, toAudit: `${message} at ${endpoint.path}` };
  }
  const explanation = await explainRefusal(agentId, canonical, name);
  return { ...explanation, toAudit: `${explanation.toAudit} (at ${endpoint.path})` };
}

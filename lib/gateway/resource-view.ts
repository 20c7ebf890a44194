import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { DataClassification, Prisma, RiskTier } from "@/lib/generated/prisma/client";
import { namespacedToolName } from "./namespacing";

// The resources, resource templates and prompts of an agent's view (decision 032): from the pinned,
// serving versions of servers a whole-server grant covers, not stopped by a server, version or global
// kill switch, not drifted, and only those whose definition hash is known (rows imported before hashes
// were kept are not served). Built with the view in ./resolution.ts and cached with it; a read looks
// the URI up here, so serving adds no query.
//
// Names: prompts are namespaced like tools (./namespacing.ts): com.example/crm + summarise →
// com.example_scrm__summarise. Resource URIs are passed as the backend declares them and routed by the
// table below. A URI (or a URI a template matches) that two of the agent's servers declare is served by
// neither: the gateway never guesses which backend a read was meant for, and says so.

export type DefinitionKind = "resource" | "resource_template" | "prompt";

/** Where a definition comes from: its server and pinned version. */
export interface DefinitionSource {
  serverId: string;
  serverName: string;
  versionId: string;
  version: string;
  definitionHash: string;
  /** Policy facts (./definition-policy.ts): the version's risk tier, the server's classification, certified (not deprecated). */
  riskTier: RiskTier | null;
  dataClassification: DataClassification;
  certified: boolean;
}

export interface ResolvedResource extends DefinitionSource {
  uri: string;
  name: string;
  title: string | null;
  description: string | null;
  mimeType: string | null;
}

export interface ResolvedResourceTemplate extends DefinitionSource {
  uriTemplate: string;
  name: string;
  title: string | null;
  description: string | null;
  mimeType: string | null;
  template: UriTemplate;
}

export interface PromptArgument {
  name: string;
  description?: string;
  required?: boolean;
}

export interface ResolvedPrompt extends DefinitionSource {
  /** The namespaced name the agent sees. */
  exposedName: string;
  promptName: string;
  title: string | null;
  description: string | null;
  arguments: PromptArgument[];
}

export interface DefinitionsView {
  /** Sorted by URI; URIs two servers declare are left out (see `ambiguousUris`). */
  resources: ResolvedResource[];
  resourcesByUri: Map<string, ResolvedResource>;
  /** URIs declared by more than one of the agent's servers, with those servers: refused by name. */
  ambiguousUris: Map<string, string[]>;
  /** Sorted by URI template, then server. */
  templates: ResolvedResourceTemplate[];
  /** Sorted by exposed name. */
  prompts: ResolvedPrompt[];
  promptsByName: Map<string, ResolvedPrompt>;
}

export const emptyDefinitionsView = (): DefinitionsView => ({
  resources: [],
  resourcesByUri: new Map(),
  ambiguousUris: new Map(),
  templates: [],
  prompts: [],
  promptsByName: new Map(),
});

/** What the view's query selects of a pinned version's resources, templates and prompts. */
export const definitionsSelect = {
  resources: { select: { uri: true, name: true, title: true, description: true, mimeType: true, definitionHash: true }, orderBy: { position: "asc" } },
  resourceTemplates: { select: { uriTemplate: true, name: true, title: true, description: true, mimeType: true, definitionHash: true }, orderBy: { position: "asc" } },
  prompts: { select: { name: true, title: true, description: true, arguments: true, definitionHash: true }, orderBy: { position: "asc" } },
} satisfies Pick<Prisma.ServerVersionSelect, "resources" | "resourceTemplates" | "prompts">;

type Definitions = Prisma.ServerVersionGetPayload<{ select: typeof definitionsSelect }>;

export interface ServedVersion {
  server: { id: string; name: string; classification: DataClassification };
  version: { id: string; version: string; riskTier: RiskTier | null; status: string } & Definitions;
}

/** The key an open drift incident of a resource, template or prompt has in the view's drift set. */
export const driftKey = (versionId: string, kind: DefinitionKind, name: string) => `${versionId} ${kind} ${name}`;

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function promptArguments(value: Prisma.JsonValue | null): PromptArgument[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (item === null || typeof item !== "object" || Array.isArray(item) || typeof item.name !== "string") return [];
    return [{ name: item.name, ...(typeof item.description === "string" ? { description: item.description } : {}), ...(item.required === true ? { required: true } : {}) }];
  });
}

function parsedTemplate(uriTemplate: string): UriTemplate | null {
  try {
    return new UriTemplate(uriTemplate);
  } catch {
    return null;
  }
}

/** The definitions of the versions whose server the agent may read from, less drifted ones and unknown hashes. */
export function definitionsViewOf(served: ServedVersion[], drifted: Set<string>): DefinitionsView {
  const view = emptyDefinitionsView();
  const declaredBy = new Map<string, ResolvedResource[]>();
  for (const { server, version } of served) {
    const source = {
      serverId: server.id,
      serverName: server.name,
      versionId: version.id,
      version: version.version,
      riskTier: version.riskTier,
      dataClassification: server.classification,
      certified: version.status === "certified",
    };
    for (const resource of version.resources) {
      if (resource.definitionHash === null || drifted.has(driftKey(version.id, "resource", resource.uri))) continue;
      const resolved = { ...source, ...resource, definitionHash: resource.definitionHash };
      declaredBy.set(resource.uri, [...(declaredBy.get(resource.uri) ?? []), resolved]);
    }
    for (const item of version.resourceTemplates) {
      const template = parsedTemplate(item.uriTemplate);
      if (template === null || drifted.has(driftKey(version.id, "resource_template", item.uriTemplate))) continue;
      view.templates.push({ ...source, ...item, template });
    }
    for (const prompt of version.prompts) {
      if (prompt.definitionHash === null || drifted.has(driftKey(version.id, "prompt", prompt.name))) continue;
      const exposedName = namespacedToolName(server.name, prompt.name);
      if (exposedName === null) continue;
      view.prompts.push({ ...source, exposedName, promptName: prompt.name, title: prompt.title, description: prompt.description, arguments: promptArguments(prompt.arguments), definitionHash: prompt.definitionHash });
    }
  }
  for (const [uri, declaring] of declaredBy) {
    if (declaring.length > 1) view.ambiguousUris.set(uri, declaring.map((item) => item.serverName).sort(byCodePoint));
    else view.resources.push(declaring[0]!);
  }
  view.resources.sort((a, b) => byCodePoint(a.uri, b.uri));
  view.templates.sort((a, b) => byCodePoint(a.uriTemplate, b.uriTemplate) || byCodePoint(a.serverName, b.serverName));
  view.prompts.sort((a, b) => byCodePoint(a.exposedName, b.exposedName));
  view.resourcesByUri = new Map(view.resources.map((resource) => [resource.uri, resource]));
  view.promptsByName = new Map(view.prompts.map((prompt) => [prompt.exposedName, prompt]));
  return view;
}

export type ResourceRoute =
  | { kind: "resource"; resource: ResolvedResource }
  | { kind: "template"; template: ResolvedResourceTemplate; variables: Record<string, string | string[]> }
  | { kind: "ambiguous"; servers: string[] }
  | { kind: "unknown" };

/** Which backend serves a read of this URI: a declared resource, else the one template that matches it. */
export function routeResource(view: DefinitionsView, uri: string): ResourceRoute {
  const resource = view.resourcesByUri.get(uri);
  if (resource) return { kind: "resource", resource };
  const ambiguous = view.ambiguousUris.get(uri);
  if (ambiguous) return { kind: "ambiguous", servers: ambiguous };
  const matches: { template: ResolvedResourceTemplate; variables: Record<string, string | string[]> }[] = [];
  for (const template of view.templates) {
    const variables = template.template.match(uri);
    if (variables) matches.push({ template, variables });
  }
  const servers = [...new Set(matches.map((match) => match.template.serverName))].sort(byCodePoint);
  if (servers.length > 1) return { kind: "ambiguous", servers };
  if (matches.length === 0) return { kind: "unknown" };
  return { kind: "template", ...matches[0]! };
}

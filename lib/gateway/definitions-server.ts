import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { GetPromptResultSchema, ReadResourceResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import type { AgentIdentity } from "@/lib/agents/keys";
import { env } from "@/lib/config/env";
import { db } from "@/lib/db/prisma";
import { hasUnsafeCharacters, replaceUnsafeCharacters } from "@/lib/text/unsafe-text";
import type { GatewayMethod } from "@/lib/audit/actions";
import { enqueueGatewayAudit } from "./audit-queue";
import { BackendCallError, DefinitionDriftError, forwardToBackend } from "./backends";
import { cursorOffset } from "./call-input";
import { decideDefinition } from "./definition-policy";
import { viewAt } from "./endpoint-view";
import type { GatewayEndpoint } from "./endpoints";
import { stoppedToolCode, unknownToolCode } from "./resolution";
import { type DefinitionSource, type ResolvedPrompt, type ResolvedResourceTemplate, routeResource } from "./resource-view";
import { GatewayRefusal } from "./virtual-server";
import { parseNamespacedToolName } from "./namespacing";

// resources/list, resources/templates/list, resources/read, prompts/list and prompts/get of the one
// virtual server each agent sees, for both protocol eras (decision 032). What is listed and served comes
// from the agent's view (./resource-view.ts): pinned, certified versions of wholly granted servers, not
// killed, not drifted. Every read and get passes the policy hook (./definition-policy.ts) and is audited
// as gateway.resources/read or gateway.prompts/get, refusals included.

const pageSize = 100;
/** Far longer than any real resource URI; a longer one is refused before any lookup. */
export const maxUriLength = 8192;
/** One template variable's value, decoded. */
const maxVariableLength = 1024;
/** Prompt arguments: how many, and how long each value may be. */
const maxPromptArguments = 64;
const maxPromptArgumentLength = 64 * 1024;

const resourceNotFound = -32002;

function page<T>(items: T[], cursor: string | undefined): { items: T[]; nextCursor?: string } {
  const offset = cursor === undefined ? 0 : cursorOffset(cursor);
  if (offset === null) throw new GatewayRefusal("Invalid params: params.cursor is not a cursor this gateway handed out.");
  const next = offset + pageSize < items.length ? Buffer.from(String(offset + pageSize)).toString("base64url") : undefined;
  return { items: items.slice(offset, offset + pageSize), ...(next ? { nextCursor: next } : {}) };
}

const sourceMeta = (item: DefinitionSource) => ({ server: item.serverName, version: item.version, definitionHash: item.definitionHash });
const optional = <K extends string>(key: K, value: string | null) => (value ? ({ [key]: value } as Record<K, string>) : {});

export async function listGatewayResources(agent: AgentIdentity, cursor?: string, endpoint: GatewayEndpoint | null = null) {
  const { definitions } = await viewAt(agent.agentId, endpoint);
  const { items, nextCursor } = page(definitions.resources, cursor);
  const resources = items.map((item) => ({
    uri: item.uri,
    name: item.name,
    ...optional("title", item.title),
    ...optional("description", item.description),
    ...optional("mimeType", item.mimeType),
    _meta: { "io.toolgate/resource": sourceMeta(item) },
  }));
  return { resources, ...(nextCursor ? { nextCursor } : {}) };
}

export async function listGatewayResourceTemplates(agent: AgentIdentity, cursor?: string, endpoint: GatewayEndpoint | null = null) {
  const { definitions } = await viewAt(agent.agentId, endpoint);
  const { items, nextCursor } = page(definitions.templates, cursor);
  const resourceTemplates = items.map((item) => ({
    uriTemplate: item.uriTemplate,
    name: item.name,
    ...optional("title", item.title),
    ...optional("description", item.description),
    ...optional("mimeType", item.mimeType),
    _meta: { "io.toolgate/resource": sourceMeta(item) },
  }));
  return { resourceTemplates, ...(nextCursor ? { nextCursor } : {}) };
}

export async function listGatewayPrompts(agent: AgentIdentity, cursor?: string, endpoint: GatewayEndpoint | null = null) {
  const { definitions } = await viewAt(agent.agentId, endpoint);
  const { items, nextCursor } = page(definitions.prompts, cursor);
  const prompts = items.map((item) => ({
    name: item.exposedName,
    ...optional("title", item.title),
    ...optional("description", item.description),
    ...(item.arguments.length ? { arguments: item.arguments } : {}),
    _meta: { "io.toolgate/prompt": { ...sourceMeta(item), prompt: item.promptName } },
  }));
  return { prompts, ...(nextCursor ? { nextCursor } : {}) };
}

export interface Outcome {
  decision: "allowed" | "refused" | "failed";
  reason?: string;
  source?: DefinitionSource;
  details?: Record<string, string>;
  policySet?: string;
}

/** Runs one read or get, auditing its outcome as `gateway.<method>` whatever happens. */
export async function audited<T>(agent: AgentIdentity, method: GatewayMethod, item: string, correlationId: string, run: (outcome: Outcome) => Promise<T>): Promise<T> {
  const started = performance.now();
  const outcome: Outcome = { decision: "refused" };
  try {
    const result = await run(outcome);
    outcome.decision = "allowed";
    return result;
  } catch (error) {
    outcome.reason ??= error instanceof Error ? error.message : String(error);
    if (error instanceof DefinitionDriftError) throw new GatewayRefusal(error.message, stoppedToolCode);
    if (!(error instanceof GatewayRefusal)) outcome.decision = "failed";
    if (error instanceof BackendCallError && error.rpcError) throw new GatewayRefusal(`${error.message}`, error.rpcError.code);
    throw error;
  } finally {
    enqueueGatewayAudit({
      agentId: agent.agentId,
      agentName: agent.name,
      onBehalfOf: agent.onBehalfOf ?? null,
      serverId: outcome.source?.serverId,
      serverName: outcome.source?.serverName,
      // The resource's URI or the prompt's name as asked: bounded, and made safe (PostgreSQL refuses NUL in text).
      tool: replaceUnsafeCharacters(item.slice(0, 512)),
      version: outcome.source?.version,
      decision: outcome.decision,
      reason: outcome.reason,
      latencyMs: performance.now() - started,
      correlationId,
      method,
      policySet: outcome.policySet,
      details: outcome.details,
    });
  }
}

/**
 * For a read or get the view does not serve: when the agent holds a whole-server grant of a server whose
 * pinned version has an open drift incident on the item, the refusal says so (as a tool's does) instead of
 * "not found". Read fresh, on the refusal path only.
 */
export async function driftedItem(agent: AgentIdentity, kinds: ("resource" | "resource_template" | "prompt")[], matches: (key: string) => boolean, serverName?: string): Promise<string | null> {
  const now = new Date();
  const grants = await db().grant.findMany({
    where: { agentId: agent.agentId, status: "active", tools: { isEmpty: true }, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }], ...(serverName ? { server: { name: serverName } } : {}) },
    select: { serverId: true, server: { select: { name: true } } },
  });
  if (grants.length === 0) return null;
  const pins = await db().pin.findMany({ where: { environment: agent.environment, serverId: { in: grants.map((grant) => grant.serverId) } }, select: { serverId: true, versionId: true } });
  const incidents = await db().driftIncident.findMany({
    where: { resolvedAt: null, kind: { in: kinds }, versionId: { in: pins.map((pin) => pin.versionId) } },
    select: { serverId: true, kind: true, toolName: true },
    take: 1000,
  });
  const found = incidents.find((incident) => matches(incident.toolName));
  if (!found) return null;
  const server = grants.find((grant) => grant.serverId === found.serverId)!.server.name;
  const label = found.kind === "resource_template" ? "resource template" : found.kind;
  return `${label} ${found.toolName} of server ${server} is blocked: definition drift since certification`;
}

function templateMatches(uri: string): (key: string) => boolean {
  return (key) => {
    if (key === uri) return true;
    try {
      return new UriTemplate(key).match(uri) !== null;
    } catch {
      return false;
    }
  };
}

export function refuse(outcome: Outcome, message: string, code: number = unknownToolCode): never {
  outcome.reason = message;
  throw new GatewayRefusal(message, code);
}

const printable = (text: string) => !hasUnsafeCharacters(text, { singleLine: true });

/** Why a template's variables (decoded) are not acceptable, or null: never empty, bounded, no control characters, no `..` segment. */
function badVariable(template: ResolvedResourceTemplate, variables: Record<string, string | string[]>): string | null {
  for (const [name, raw] of Object.entries(variables)) {
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return `variable ${name} is not valid percent-encoding`;
      }
      if (decoded.length === 0) return `variable ${name} is empty`;
      if (decoded.length > maxVariableLength) return `variable ${name} is longer than ${maxVariableLength} characters`;
      if (!printable(decoded)) return `variable ${name} contains control or bidirectional-override characters`;
      if (decoded.split(/[\\/]/).includes("..")) return `variable ${name} must not contain a ".." path segment`;
    }
  }
  if (Object.keys(variables).length === 0 && template.template.variableNames.length > 0) return "no variable of the template matched";
  return null;
}

type ReadResult = z.infer<typeof ReadResourceResultSchema>;

/** resources/read: the URI routed to the one backend that declares it (or whose one template matches), the content capped. */
export function readGatewayResource(agent: AgentIdentity, uri: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<ReadResult> {
  const item = typeof uri === "string" ? uri : String(uri);
  return audited(agent, "resources/read", item, correlationId, async (outcome) => {
    if (typeof uri !== "string" || uri.length === 0) refuse(outcome, "Invalid params: params.uri must be a non-empty string.");
    if (uri.length > maxUriLength) refuse(outcome, `Invalid params: params.uri is longer than ${maxUriLength} characters.`);
    if (!printable(uri)) refuse(outcome, "Invalid params: params.uri must not contain control or bidirectional-override characters.");
    const view = await viewAt(agent.agentId, endpoint);
    outcome.policySet = view.policySet.hash;
    const route = routeResource(view.definitions, uri);
    if (route.kind === "unknown") {
      const drifted = await driftedItem(agent, ["resource", "resource_template"], templateMatches(uri));
      if (drifted) refuse(outcome, drifted, stoppedToolCode);
      refuse(outcome, `Resource not found: ${uri} is not a resource of any server this agent may read.`, resourceNotFound);
    }
    if (route.kind === "ambiguous") {
      refuse(outcome, `Resource ${uri} is declared by more than one server this agent may read (${route.servers.join(", ")}); the gateway serves it from neither.`, resourceNotFound);
    }
    const source = route.kind === "resource" ? route.resource : route.template;
    outcome.source = source;
    if (route.kind === "template") {
      outcome.details = { template: route.template.uriTemplate };
      const problem = badVariable(route.template, route.variables);
      if (problem) refuse(outcome, `Invalid params: ${uri} does not fit template ${route.template.uriTemplate} of server ${source.serverName}: ${problem}.`);
    }
    const kind = route.kind === "resource" ? "resource" : "resource_template";
    const key = route.kind === "resource" ? route.resource.uri : route.template.uriTemplate;
    const policy = decideDefinition(view, agent, source, kind, key, "resources/read");
    if (policy.decision === "deny") {
      outcome.details = { ...outcome.details, policyIds: policy.policyIds.join(",") };
      refuse(outcome, `Policy denies reading resource ${uri}.`, stoppedToolCode);
    }
    const backend = view.backends.get(source.serverId)!;
    const drift = { key: `${kind} ${key}`, label: `${kind === "resource" ? "resource" : "resource template"} ${key}` };
    const result = await forwardToBackend(backend, { method: "resources/read", params: { uri } }, ReadResourceResultSchema, { agent, drift });
    const capped = capContents(result, env("TOOLGATE_RESOURCE_MAX_BYTES"));
    if (capped.cut) outcome.details = { ...outcome.details, cutAtBytes: String(capped.limit), contentBytes: String(capped.total) };
    return capped.result;
  });
}

type Content = ReadResult["contents"][number];

const contentBytes = (content: Content) => ("text" in content && typeof content.text === "string" ? Buffer.byteLength(content.text, "utf8") : "blob" in content && typeof content.blob === "string" ? content.blob.length : 0);

/** Cuts text at the limit (on a character boundary) and drops blobs past it, adding a notice the agent reads. */
export function capContents(result: ReadResult, limit: number): { result: ReadResult; cut: boolean; limit: number; total: number } {
  const total = result.contents.reduce((sum, content) => sum + contentBytes(content), 0);
  if (total <= limit) return { result, cut: false, limit, total };
  let left = limit;
  const kept: Content[] = [];
  for (const content of result.contents) {
    const size = contentBytes(content);
    if (size <= left) {
      kept.push(content);
      left -= size;
    } else if ("text" in content && typeof content.text === "string" && left > 0) {
      const bytes = Buffer.from(content.text, "utf8").subarray(0, left);
      // A cut inside a multi-byte character drops that character rather than sending half of it.
      kept.push({ ...content, text: new TextDecoder("utf-8", { fatal: false }).decode(bytes).replace(/\uFFFD$/, "") });
      left = 0;
    }
  }
  const uri = result.contents[0]?.uri ?? "";
  const notice = `[Toolgate: this resource's content is ${total} bytes; the gateway passes on at most ${limit} (TOOLGATE_RESOURCE_MAX_BYTES), so it was cut there.]`;
  kept.push({ uri, mimeType: "text/plain", text: notice });
  return { result: { ...result, contents: kept, _meta: { ...result._meta, "io.toolgate/truncated": { limitBytes: limit, contentBytes: total } } }, cut: true, limit, total };
}

const promptArgumentsSchema = z
  .record(z.string().max(256), z.string({ error: "prompt argument values must be strings" }).max(maxPromptArgumentLength, `prompt argument values must be at most ${maxPromptArgumentLength} characters`))
  .refine((args) => Object.keys(args).length <= maxPromptArguments, `at most ${maxPromptArguments} prompt arguments`);

/** Why the arguments do not fit the prompt's declared ones, or null. */
function badPromptArguments(prompt: ResolvedPrompt, args: unknown): string | null {
  const parsed = promptArgumentsSchema.safeParse(args ?? {});
  if (!parsed.success) return parsed.error.issues[0]!.message;
  const declared = new Set(prompt.arguments.map((argument) => argument.name));
  const unknown = Object.keys(parsed.data).filter((name) => !declared.has(name));
  if (unknown.length) return `unknown argument${unknown.length > 1 ? "s" : ""} ${unknown.map((name) => JSON.stringify(name)).join(", ")}; the prompt takes ${[...declared].join(", ") || "none"}`;
  const missing = prompt.arguments.filter((argument) => argument.required && !(argument.name in parsed.data)).map((argument) => argument.name);
  if (missing.length) return `missing required argument${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`;
  for (const [name, value] of Object.entries(parsed.data)) if (hasUnsafeCharacters(value)) return `argument ${name} contains control or bidirectional-override characters`;
  return null;
}

type PromptResult = z.infer<typeof GetPromptResultSchema>;

/** prompts/get: the namespaced name routed to its backend, the arguments checked against the pinned declaration. */
export function getGatewayPrompt(agent: AgentIdentity, name: unknown, args: unknown, correlationId: string, endpoint: GatewayEndpoint | null = null): Promise<PromptResult> {
  const item = typeof name === "string" ? name : String(name);
  return audited(agent, "prompts/get", item, correlationId, async (outcome) => {
    if (typeof name !== "string" || name.length === 0 || name.length > 256 || !printable(name)) {
      refuse(outcome, "Invalid params: params.name must be a prompt name this gateway lists.");
    }
    const view = await viewAt(agent.agentId, endpoint);
    outcome.policySet = view.policySet.hash;
    const prompt = view.definitions.promptsByName.get(name);
    if (!prompt) {
      const named = parseNamespacedToolName(name);
      const drifted = named && (await driftedItem(agent, ["prompt"], (key) => key === named.tool, named.server));
      if (drifted) refuse(outcome, drifted, stoppedToolCode);
      refuse(outcome, `no such prompt: ${name}`);
    }
    outcome.source = prompt;
    const problem = badPromptArguments(prompt, args);
    if (problem) refuse(outcome, `Invalid params: prompt ${name}: ${problem}.`);
    const policy = decideDefinition(view, agent, prompt, "prompt", prompt.promptName, "prompts/get");
    if (policy.decision === "deny") {
      outcome.details = { policyIds: policy.policyIds.join(",") };
      refuse(outcome, `Policy denies getting prompt ${name}.`, stoppedToolCode);
    }
    const backend = view.backends.get(prompt.serverId)!;
    const params = { name: prompt.promptName, ...(args !== undefined ? { arguments: args as Record<string, string> } : {}) };
    return forwardToBackend(backend, { method: "prompts/get", params }, GetPromptResultSchema, { agent, drift: { key: `prompt ${prompt.promptName}`, label: `prompt ${prompt.promptName}` } });
  });
}

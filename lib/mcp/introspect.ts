// Reads what a live MCP server declares (tools, resources, prompts) over Streamable HTTP, keeping each
// item exactly as the server sent it, and explains every failure in words a server owner can act on.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport, StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { RequestOptions } from "@modelcontextprotocol/sdk/shared/protocol.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { currentOutboundPolicy } from "@/lib/settings/outbound";
import {
  assertOutboundUrl,
  displayUrl,
  guardedFetch,
  type OutboundFetch,
  OutboundResponseError,
  type OutboundPolicy,
} from "@/lib/net/outbound";

export interface DeclaredTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

export interface DeclaredResource {
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface DeclaredResourceTemplate {
  uriTemplate: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
}

export interface DeclaredPrompt {
  name: string;
  title?: string;
  description?: string;
  arguments?: { name: string; description?: string; required?: boolean }[];
}

export interface Introspection {
  serverInfo: { name: string; version: string; title?: string };
  protocolVersion: string;
  tools: DeclaredTool[];
  resources: DeclaredResource[];
  resourceTemplates: DeclaredResourceTemplate[];
  prompts: DeclaredPrompt[];
}

export interface IntrospectionTarget {
  url: string;
  /** Credentials the server expects, e.g. Authorization; sent with every request. */
  headers?: Record<string, string>;
}

export interface IntrospectionOptions {
  policy?: OutboundPolicy;
  /** For the whole exchange, not per request. */
  timeoutMs?: number;
  maxResponseBytes?: number;
  /** Per list (tools, resources, prompts). */
  maxPages?: number;
}

export class IntrospectionError extends DomainError {
  override readonly status = 422;
}

// The SDK's own schemas drop annotation keys they do not know, so the lists are read with these instead.
// z.object keeps only the fields Toolgate records; the JSON Schemas and annotations stay whole.
const JsonSchemaObject = z.looseObject({ type: z.literal("object") });

export const ToolsPage = z.object({
  tools: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      inputSchema: JsonSchemaObject,
      outputSchema: JsonSchemaObject.optional(),
      annotations: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});

export const ResourceTemplatesPage = z.object({
  resourceTemplates: z.array(
    z.object({
      uriTemplate: z.string(),
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      mimeType: z.string().optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});

export const ResourcesPage = z.object({
  resources: z.array(
    z.object({
      uri: z.string(),
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      mimeType: z.string().optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});

export const PromptsPage = z.object({
  prompts: z.array(
    z.object({
      name: z.string(),
      title: z.string().optional(),
      description: z.string().optional(),
      arguments: z
        .array(z.object({ name: z.string(), description: z.string().optional(), required: z.boolean().optional() }))
        .optional(),
    }),
  ),
  nextCursor: z.string().optional(),
});

type Page<T> = { items: T[]; nextCursor?: string };

interface Session {
  client: Client;
  transport: StreamableHTTPClientTransport;
  endpoint: string;
  maxPages: number;
  /** The SDK's own per-request timeout (60 s) would otherwise cut a longer overall timeout short. */
  requestOptions: RequestOptions;
}

export async function introspect(target: IntrospectionTarget, options: IntrospectionOptions = {}): Promise<Introspection> {
  const { timeoutMs = 15_000, maxResponseBytes = 5 * 1024 * 1024, maxPages = 50 } = options;
  // The rule in force now (lib/settings/outbound.ts): an administrator's change applies to the next import.
  const policy = options.policy ?? (await currentOutboundPolicy());
  const url = await assertOutboundUrl(target.url, policy);
  const endpoint = displayUrl(url);
  const failure = tripwire();
  const fetchFn = reportBodyErrors(guardedFetch(policy, { timeoutMs, maxResponseBytes }), failure.trip);
  const transport = new StreamableHTTPClientTransport(url, { fetch: fetchFn, requestInit: { headers: target.headers } });
  const client = new Client({ name: "toolgate", version: "1.0.0" });
  client.onerror = (error) => {
    if (isMalformedMessage(error)) failure.trip(error);
  };
  const deadline = setTimeout(
    () => failure.trip(new IntrospectionError(`${endpoint} did not answer within ${timeoutMs / 1000} s.`)),
    timeoutMs,
  );
  try {
    const session = { client, transport, endpoint, maxPages, requestOptions: { timeout: timeoutMs } };
    return await Promise.race([readDeclarations(session), failure.tripped]);
  } catch (error) {
    throw explainFailure(error, endpoint);
  } finally {
    clearTimeout(deadline);
    await client.close();
  }
}

async function readDeclarations(session: Session): Promise<Introspection> {
  const { client, transport, endpoint, requestOptions } = session;
  await client.connect(transport, requestOptions);
  const { protocolVersion } = transport;
  if (!protocolVersion) throw notMcp(endpoint, "it did not state a protocol version");
  const capabilities = client.getServerCapabilities() ?? {};
  const introspection: Introspection = {
    serverInfo: serverInfo(client),
    protocolVersion,
    tools: capabilities.tools ? await listTools(session) : [],
    resources: capabilities.resources ? await listResources(session) : [],
    // A server with resources but no templates may not implement resources/templates/list at all.
    resourceTemplates: capabilities.resources ? await listResourceTemplates(session).catch(noneIfMethodNotFound) : [],
    prompts: capabilities.prompts ? await listPrompts(session) : [],
  };
  // Stateful servers keep a session per client until told otherwise; failing to end it is their concern.
  await transport.terminateSession().catch(() => {});
  return introspection;
}

function noneIfMethodNotFound(error: unknown): never[] {
  if (error instanceof McpError && error.code === -32601) return [];
  throw error;
}

function serverInfo(client: Client): Introspection["serverInfo"] {
  const { name, version, title } = client.getServerVersion()!;
  return title === undefined ? { name, version } : { name, version, title };
}

function listTools({ client, requestOptions, ...session }: Session): Promise<DeclaredTool[]> {
  return readAllPages(session, "tools", async (params) => {
    const page = await client.request({ method: "tools/list", params }, ToolsPage, requestOptions);
    return { items: page.tools, nextCursor: page.nextCursor };
  });
}

function listResources({ client, requestOptions, ...session }: Session): Promise<DeclaredResource[]> {
  return readAllPages(session, "resources", async (params) => {
    const page = await client.request({ method: "resources/list", params }, ResourcesPage, requestOptions);
    return { items: page.resources, nextCursor: page.nextCursor };
  });
}

function listResourceTemplates({ client, requestOptions, ...session }: Session): Promise<DeclaredResourceTemplate[]> {
  return readAllPages(session, "resource templates", async (params) => {
    const page = await client.request({ method: "resources/templates/list", params }, ResourceTemplatesPage, requestOptions);
    return { items: page.resourceTemplates, nextCursor: page.nextCursor };
  });
}

function listPrompts({ client, requestOptions, ...session }: Session): Promise<DeclaredPrompt[]> {
  return readAllPages(session, "prompts", async (params) => {
    const page = await client.request({ method: "prompts/list", params }, PromptsPage, requestOptions);
    return { items: page.prompts, nextCursor: page.nextCursor };
  });
}

async function readAllPages<T>(
  { endpoint, maxPages }: Pick<Session, "endpoint" | "maxPages">,
  kind: string,
  readPage: (params: { cursor?: string }) => Promise<Page<T>>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await readPage(cursor === undefined ? {} : { cursor });
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === undefined) return items;
  }
  throw new IntrospectionError(`${endpoint} lists its ${kind} in more than ${maxPages} pages; Toolgate stops reading there.`);
}

/** A promise that rejects when tripped, so a hung exchange can be abandoned for the real reason. */
function tripwire() {
  let trip: (error: unknown) => void = () => {};
  const tripped = new Promise<never>((_, reject) => {
    trip = reject;
  });
  tripped.catch(() => {});
  return { trip, tripped };
}

/**
 * When a streamed (SSE) answer breaks off, for example at the size limit, the SDK only reports it to
 * onerror and keeps waiting for the answer; reporting body errors lets the exchange fail at once.
 */
function reportBodyErrors(fetchFn: OutboundFetch, report: (error: unknown) => void): OutboundFetch {
  return async (url, init) => {
    const response = await fetchFn(url, init);
    if (!response.body) return response;
    const reader = response.body.getReader();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          report(error);
          return controller.error(error);
        }
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
      },
      cancel: (reason) => reader.cancel(reason),
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/**
 * Messages in an event stream that fail to parse reach only onerror; the request they answer would never settle.
 * $ZodError covers both zod flavours the SDK throws: classic for messages, zod/mini for results.
 */
function isMalformedMessage(error: unknown): boolean {
  return error instanceof SyntaxError || error instanceof z.core.$ZodError;
}

function notMcp(endpoint: string, detail: string): IntrospectionError {
  return new IntrospectionError(`${endpoint} returned something that is not valid MCP: ${detail}.`);
}

function explainFailure(error: unknown, endpoint: string): DomainError {
  if (error instanceof OutboundResponseError) return new IntrospectionError(error.message);
  // Includes refusals by the outbound policy at connect time, which must reach the user unchanged.
  if (error instanceof DomainError) return error;
  if (error instanceof StreamableHTTPError) return httpFailure(error, endpoint);
  if (error instanceof McpError) return new IntrospectionError(`${endpoint} answered with an error: ${error.message}.`);
  if (error instanceof SyntaxError) return notMcp(endpoint, "the response is not JSON");
  if (error instanceof z.core.$ZodError) return notMcp(endpoint, describeIssue(error));
  const connection = connectionFailure(error);
  if (connection) return new IntrospectionError(`Could not connect to ${endpoint}: ${connection}.`);
  return new IntrospectionError(`Could not introspect ${endpoint}: ${error instanceof Error ? error.message : String(error)}.`);
}

function httpFailure(error: StreamableHTTPError, endpoint: string): IntrospectionError {
  // The SDK uses -1 for a successful status whose body is neither JSON nor an event stream.
  if (error.code === -1) return notMcp(endpoint, "the response is neither JSON nor an event stream");
  if (error.code === 401 || error.code === 403) {
    return new IntrospectionError(`${endpoint} refused the request (HTTP ${error.code}). Check the credential headers configured for this server.`);
  }
  return new IntrospectionError(`${endpoint} did not answer as an MCP server (HTTP ${error.code}).`);
}

function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "unexpected content";
  return issue.path.length ? `${issue.path.join(".")}: ${issue.message}` : issue.message;
}

const CONNECTION_ERRORS: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "the host is unreachable",
  ENETUNREACH: "the network is unreachable",
  UND_ERR_SOCKET: "the server closed the connection",
};

/** undici reports network failures as TypeError("fetch failed") with the system error as cause. */
export function connectionFailure(error: unknown): string | undefined {
  if (!(error instanceof TypeError) || !(error.cause instanceof Error)) return undefined;
  const code = (error.cause as NodeJS.ErrnoException).code ?? "";
  if (CONNECTION_ERRORS[code]) return CONNECTION_ERRORS[code];
  if (/CERT|SSL|TLS/.test(code)) return `the TLS certificate was not accepted (${code})`;
  return error.cause.message;
}

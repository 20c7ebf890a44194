// MCP servers for tests: one of our own whose tool list a test can change, and plain HTTP servers
// that misbehave in ways a real endpoint might.
import http from "node:http";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import {
  type CallToolResult,
  CallToolRequestSchema,
  ErrorCode,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type ServerNotification,
  type ServerRequest,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { DeclaredPrompt, DeclaredResource, DeclaredResourceTemplate, DeclaredTool } from "@/lib/mcp/introspect";
import { closeServer, listenOnLoopback } from "./loopback";
import { mcpSessions } from "./mcp-sessions";

/** A tool as the fixture declares it: the same shape Toolgate records from a live server. */
export type FixtureTool = DeclaredTool;

export interface RequiredHeader {
  name: string;
  value: string;
}

/** One HTTP request as it reached the fixture, recorded before any check. */
export interface ReceivedRequest {
  /** POST carries JSON-RPC messages, GET opens the notification stream, DELETE ends a session. */
  httpMethod: string;
  headers: http.IncomingHttpHeaders;
  /** The JSON-RPC method of a POST body. */
  rpcMethod?: string;
  /** For tools/call: the tool and its arguments exactly as they arrived. */
  toolCall?: { name: string; arguments: unknown };
}

/**
 * Answers a tools/call; undefined falls back to echoing the arguments. `call` is the SDK's: its signal aborts
 * when the caller cancels the call; it sends notifications and requests about the call (with `eventStream`).
 */
export type FixtureResponder = (name: string, args: Record<string, unknown>, call: RequestHandlerExtra<ServerRequest, ServerNotification>) => CallToolResult | undefined | Promise<CallToolResult | undefined>;

/** A tools/call the caller cancelled (notifications/cancelled) while the fixture was still working on it. */
export interface CancelledCall {
  name: string;
  arguments: Record<string, unknown>;
  reason: string;
}

export interface FixtureServer {
  url: string;
  /** Replaces the declared tools and tells every open session (notifications/tools/list_changed). */
  setTools(tools: FixtureTool[]): void;
  setResponder(responder: FixtureResponder | undefined): void;
  /** Replaces the declared prompts and tells every open session (notifications/prompts/list_changed). */
  setPrompts(prompts: DeclaredPrompt[]): void;
  /** Replaces the declared resources and tells every open session (notifications/resources/list_changed). */
  setResources(resources: FixtureResource[]): void;
  requiredHeader?: RequiredHeader;
  /** Every request received, oldest first. */
  received: ReceivedRequest[];
  /** Every tools/call cancelled while in flight, oldest first. */
  cancelled: CancelledCall[];
  /** How many sessions were initialized (stateful mode). */
  sessionsStarted(): number;
  /** Forgets every session, as a restarted server would: requests naming one get HTTP 404. */
  expireSessions(): void;
  /** The next `count` tools/call requests are recorded, then their connection is closed without an answer. */
  dropToolCalls(count: number): void;
  /** The next `count` tools/call requests get the start of an event-stream answer, then their connection is closed mid-event. */
  breakToolCalls(count: number): void;
  close(): Promise<void>;
}

export interface FixtureOptions {
  tools?: FixtureTool[];
  /** Requests without this header get HTTP 401, like a server behind an API key. */
  requireHeader?: RequiredHeader;
  /** Splits tools/list into pages of this size. */
  pageSize?: number;
  /** A fresh server per request, without sessions or notifications. By default the fixture keeps sessions, like most servers. */
  stateless?: boolean;
  /** Listen on this port (e.g. to come back where a stopped fixture was); a free one by default. */
  port?: number;
  respond?: FixtureResponder;
  /** Declared resources (with their text), templates and prompts; without any, the fixture declares neither capability. */
  resources?: FixtureResource[];
  resourceTemplates?: DeclaredResourceTemplate[];
  prompts?: DeclaredPrompt[];
  /** Answers as event streams, as many servers do: notifications and requests about a call go on its stream. JSON by default. */
  eventStream?: boolean;
}

/** A resource as the fixture declares it, with the text resources/read answers. */
export type FixtureResource = DeclaredResource & { text: string };

export const defaultFixtureResources: FixtureResource[] = [
  { uri: "records://schema", name: "schema", title: "Record schema", description: "What a record holds.", mimeType: "application/json", text: '{"id":"string"}' },
  { uri: "records://big", name: "big", description: "A large export.", mimeType: "text/plain", text: "x".repeat(64 * 1024) },
];

/** records://item/{id}: reads as "record <id>"; an id of anything but digits is refused by the fixture too. */
export const defaultFixtureTemplates: DeclaredResourceTemplate[] = [
  { uriTemplate: "records://item/{id}", name: "record", title: "One record", description: "A record by its numeric id.", mimeType: "text/plain" },
];

export const defaultFixturePrompts: DeclaredPrompt[] = [
  { name: "summarise", title: "Summarise a record", description: "Summarises one record.", arguments: [{ name: "id", description: "The record id.", required: true }, { name: "tone", required: false }] },
  { name: "greeting", description: "Says hello." },
];

export const defaultFixtureTools: FixtureTool[] = [
  {
    name: "read_record",
    title: "Read record",
    description: "Reads one record by id.",
    inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    // Echoing the arguments {id} satisfies this, so the tool can be called through clients that check it.
    outputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    annotations: { readOnlyHint: true, openWorldHint: false },
  },
  {
    name: "delete_record",
    description: "Deletes one record by id.",
    inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    annotations: { destructiveHint: true, idempotentHint: true },
  },
  {
    name: "search_records",
    description: "Finds records matching a query.",
    inputSchema: { type: "object", properties: { query: { type: "string" }, limit: { type: "integer", minimum: 1 } } },
  },
];

interface FixtureState {
  tools: FixtureTool[];
  resources?: FixtureResource[];
  resourceTemplates?: DeclaredResourceTemplate[];
  prompts?: DeclaredPrompt[];
  pageSize?: number;
  respond?: FixtureResponder;
  cancelled: CancelledCall[];
  eventStream?: boolean;
}

export async function startFixtureServer(options: FixtureOptions = {}): Promise<FixtureServer> {
  const state: FixtureState = {
    tools: options.tools ?? defaultFixtureTools,
    resources: options.resources,
    resourceTemplates: options.resourceTemplates,
    prompts: options.prompts,
    pageSize: options.pageSize,
    respond: options.respond,
    cancelled: [],
    eventStream: options.eventStream,
  };
  const { requireHeader } = options;
  const received: ReceivedRequest[] = [];
  const sessions = mcpSessions({ eventStream: options.eventStream });
  let dropsLeft = 0;
  let breaksLeft = 0;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!isEndpoint(req)) return void res.writeHead(404).end();
    const body = req.method === "POST" ? await readJson(req) : undefined;
    if (body === invalidJson) return void sendRpcError(res, 400, ErrorCode.ParseError, "Parse error");
    const request = record(req, body);
    received.push(request);
    if (requireHeader && req.headers[requireHeader.name.toLowerCase()] !== requireHeader.value) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    if (request.toolCall && breaksLeft > 0) {
      breaksLeft--;
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.write('event: message\ndata: {"jsonrpc":"2.0","id":');
      return void setTimeout(() => req.socket.destroy(), 20);
    }
    if (request.toolCall && dropsLeft > 0) {
      dropsLeft--;
      return void req.socket.destroy();
    }
    if (options.stateless) return handleStateless(req, res, body, state);
    const outcome = await sessions.handle(req, res, body, () => mcpServer(state));
    if (outcome === "unknown-session") sendRpcError(res, 404, -32001, "Session not found");
    if (outcome === "not-initialize") sendRpcError(res, 400, ErrorCode.InvalidRequest, "Mcp-Session-Id header is required");
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  const url = `${await listenOnLoopback(server, options.port)}/mcp`;
  return {
    url,
    requiredHeader: requireHeader,
    received,
    cancelled: state.cancelled,
    setTools: (next) => {
      state.tools = next;
      for (const mcp of sessions.servers()) mcp.sendToolListChanged().catch(() => {});
    },
    setPrompts: (next) => {
      state.prompts = next;
      for (const mcp of sessions.servers()) mcp.sendPromptListChanged().catch(() => {});
    },
    setResources: (next) => {
      state.resources = next;
      for (const mcp of sessions.servers()) mcp.sendResourceListChanged().catch(() => {});
    },
    setResponder: (responder) => {
      state.respond = responder;
    },
    sessionsStarted: sessions.started,
    expireSessions: sessions.closeAll,
    breakToolCalls: (count) => {
      breaksLeft = count;
    },
    dropToolCalls: (count) => {
      dropsLeft = count;
    },
    close: () => {
      sessions.closeAll();
      return closeServer(server);
    },
  };
}

// Stateless: a fresh server per request, so every request sees the current tool list.
async function handleStateless(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, state: FixtureState) {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  const mcp = mcpServer(state);
  res.on("close", () => void mcp.close());
  await mcp.connect(transport);
  await transport.handleRequest(req, res, body);
}

const invalidJson = Symbol("invalid JSON");

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return invalidJson;
  }
}

function record(req: http.IncomingMessage, body: unknown): ReceivedRequest {
  const request: ReceivedRequest = { httpMethod: req.method ?? "", headers: { ...req.headers } };
  const message = body as { method?: unknown; params?: { name?: unknown; arguments?: unknown } } | undefined;
  if (typeof message?.method !== "string") return request;
  request.rpcMethod = message.method;
  if (message.method === "tools/call") request.toolCall = { name: String(message.params?.name), arguments: message.params?.arguments };
  return request;
}

function sendRpcError(res: http.ServerResponse, status: number, code: number, message: string) {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }));
}

function mcpServer(state: FixtureState): Server {
  const server = new Server(
    { name: "toolgate-fixture", title: "Toolgate fixture", version: "1.0.0" },
    {
      capabilities: {
        tools: { listChanged: true },
        // An event-stream fixture can say something about a call while it runs (see FixtureResponder).
        ...(state.eventStream ? { logging: {} } : {}),
        ...(state.resources || state.resourceTemplates ? { resources: { listChanged: true } } : {}),
        ...(state.prompts ? { prompts: { listChanged: true } } : {}),
      },
    },
  );
  if (state.resources || state.resourceTemplates) serveResources(server, state);
  if (state.prompts) servePrompts(server, state);
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const all = state.tools;
    const start = request.params?.cursor === undefined ? 0 : parseCursor(request.params.cursor);
    const end = state.pageSize === undefined ? all.length : start + state.pageSize;
    // The SDK's result type wants inputSchema.type to be the literal "object"; fixtures are declared as plain JSON.
    const page = all.slice(start, end) as Tool[];
    return end < all.length ? { tools: page, nextCursor: Buffer.from(String(end)).toString("base64url") } : { tools: page };
  });
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = state.tools.find((candidate) => candidate.name === request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}`);
    const args = request.params.arguments ?? {};
    const onCancel = () => state.cancelled.push({ name: tool.name, arguments: args, reason: String(extra.signal.reason) });
    extra.signal.addEventListener("abort", onCancel, { once: true });
    let answer: CallToolResult | undefined;
    try {
      answer = await state.respond?.(tool.name, args, extra);
    } finally {
      extra.signal.removeEventListener("abort", onCancel);
    }
    if (answer) return answer;
    const echo = { content: [{ type: "text" as const, text: JSON.stringify(args) }] };
    return tool.outputSchema ? { ...echo, structuredContent: args } : echo;
  });
  return server;
}

function serveResources(server: Server, state: FixtureState) {
  server.setRequestHandler(ListResourcesRequestSchema, () => ({ resources: (state.resources ?? []).map(({ uri, name, title, description, mimeType }) => ({ uri, name, title, description, mimeType })) }));
  server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: state.resourceTemplates ?? [] }));
  server.setRequestHandler(ReadResourceRequestSchema, (request) => {
    const { uri } = request.params;
    const resource = state.resources?.find((candidate) => candidate.uri === uri);
    if (resource) return { contents: [{ uri, mimeType: resource.mimeType, text: resource.text }] };
    const item = /^records:\/\/item\/([0-9]+)$/.exec(uri);
    if (item && state.resourceTemplates?.length) return { contents: [{ uri, mimeType: "text/plain", text: `record ${item[1]}` }] };
    throw new McpError(-32002, `Resource not found: ${uri}`);
  });
}

function servePrompts(server: Server, state: FixtureState) {
  server.setRequestHandler(ListPromptsRequestSchema, () => ({ prompts: state.prompts ?? [] }));
  server.setRequestHandler(GetPromptRequestSchema, (request) => {
    const prompt = state.prompts?.find((candidate) => candidate.name === request.params.name);
    if (!prompt) throw new McpError(ErrorCode.InvalidParams, `Unknown prompt ${request.params.name}`);
    const args = request.params.arguments ?? {};
    const text = `${prompt.name}: ${JSON.stringify(args)}`;
    return { description: prompt.description, messages: [{ role: "user" as const, content: { type: "text" as const, text } }] };
  });
}

function parseCursor(cursor: string): number {
  const offset = Number(Buffer.from(cursor, "base64url").toString());
  if (!Number.isInteger(offset) || offset < 0) throw new McpError(ErrorCode.InvalidParams, "Invalid cursor");
  return offset;
}

export type GarbageKind = "not-json" | "huge" | "not-mcp-404";

const HUGE_BYTES = 50 * 1024 * 1024;

/** Plain HTTP servers at /mcp that do not speak MCP. */
export async function startGarbageServer(kind: GarbageKind): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    if (!isEndpoint(req)) return void res.writeHead(404).end();
    if (kind === "not-json") res.writeHead(200, { "content-type": "text/plain" }).end("hello");
    else if (kind === "not-mcp-404") res.writeHead(404, { "content-type": "text/plain" }).end("Not found");
    else streamHugeJson(res);
  });
  const url = `${await listenOnLoopback(server)}/mcp`;
  return { url, close: () => closeServer(server) };
}

/** 50 MB of a JSON array, written chunk by chunk as the client reads, never held in memory at once. */
function streamHugeJson(res: http.ServerResponse) {
  const chunk = Buffer.from(`"${"x".repeat(64 * 1024 - 3)}",`);
  let written = 0;
  res.writeHead(200, { "content-type": "application/json" });
  res.write("[");
  const writeMore = () => {
    while (written < HUGE_BYTES && !res.destroyed) {
      written += chunk.length;
      if (!res.write(chunk)) return void res.once("drain", writeMore);
    }
    if (!res.destroyed) res.end('""]');
  };
  writeMore();
}

function isEndpoint(req: http.IncomingMessage): boolean {
  return new URL(req.url ?? "/", "http://localhost").pathname === "/mcp";
}

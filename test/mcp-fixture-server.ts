// MCP servers for tests: one of our own whose tool list a test can change, and plain HTTP servers
// that misbehave in ways a real endpoint might.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError, type Tool } from "@modelcontextprotocol/sdk/types.js";
import type { DeclaredTool } from "@/lib/mcp/introspect";

/** A tool as the fixture declares it: the same shape Toolgate records from a live server. */
export type FixtureTool = DeclaredTool;

export interface RequiredHeader {
  name: string;
  value: string;
}

export interface FixtureServer {
  url: string;
  setTools(tools: FixtureTool[]): void;
  requiredHeader?: RequiredHeader;
  close(): Promise<void>;
}

export interface FixtureOptions {
  tools?: FixtureTool[];
  /** Requests without this header get HTTP 401, like a server behind an API key. */
  requireHeader?: RequiredHeader;
  /** Splits tools/list into pages of this size. */
  pageSize?: number;
}

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

export async function startFixtureServer(options: FixtureOptions = {}): Promise<FixtureServer> {
  let tools = options.tools ?? defaultFixtureTools;
  const { requireHeader, pageSize } = options;
  const server = http.createServer((req, res) => {
    if (!isEndpoint(req)) return void res.writeHead(404).end();
    if (requireHeader && req.headers[requireHeader.name.toLowerCase()] !== requireHeader.value) {
      res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    // Stateless: a fresh server per request, so every request sees the current tool list.
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    const mcp = mcpServer(() => tools, pageSize);
    res.on("close", () => void mcp.close());
    mcp
      .connect(transport)
      .then(() => transport.handleRequest(req, res))
      .catch(() => res.writeHead(500).end());
  });
  const url = await listen(server);
  return {
    url,
    requiredHeader: requireHeader,
    setTools: (next) => {
      tools = next;
    },
    close: () => closeServer(server),
  };
}

function mcpServer(currentTools: () => FixtureTool[], pageSize: number | undefined): Server {
  const server = new Server({ name: "toolgate-fixture", title: "Toolgate fixture", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, (request) => {
    const all = currentTools();
    const start = request.params?.cursor === undefined ? 0 : parseCursor(request.params.cursor);
    const end = pageSize === undefined ? all.length : start + pageSize;
    // The SDK's result type wants inputSchema.type to be the literal "object"; fixtures are declared as plain JSON.
    const page = all.slice(start, end) as Tool[];
    return end < all.length ? { tools: page, nextCursor: Buffer.from(String(end)).toString("base64url") } : { tools: page };
  });
  server.setRequestHandler(CallToolRequestSchema, (request) => {
    const tool = currentTools().find((candidate) => candidate.name === request.params.name);
    if (!tool) throw new McpError(ErrorCode.InvalidParams, `Unknown tool ${request.params.name}`);
    const args = request.params.arguments ?? {};
    const echo = { content: [{ type: "text" as const, text: JSON.stringify(args) }] };
    return tool.outputSchema ? { ...echo, structuredContent: args } : echo;
  });
  return server;
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
  const url = await listen(server);
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

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}/mcp`;
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Keep-alive connections from clients would otherwise hold close() open.
    server.closeAllConnections();
  });
}

// A gateway in front of one certified, pinned and granted fixture server, reached by both SDK eras and by
// raw JSON-RPC (for messages the SDK clients would never send), for tests of what the gateway does with
// a tools/call once it is parsed.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { namespacedToolName } from "@/lib/gateway/namespacing";
import { closeGatewayTest, startGatewayServer } from "./gateway-server";
import { governFixtureServer } from "./governed-server";
import { defaultFixtureTools, type FixtureOptions, type FixtureServer, type FixtureTool, startFixtureServer } from "./mcp-fixture-server";

export type Era = "legacy" | "modern";
export const eras: Era[] = ["legacy", "modern"];

export interface GovernedGateway {
  fixture: FixtureServer;
  url: string;
  key: string;
  agentId: string;
  serverId: string;
  serverName: string;
  versionId: string;
  exposed(tool: string): string;
  connect(era: Era, headers?: Record<string, string>): Promise<LegacyClient | ModernClient>;
  /** Sends one JSON-RPC request as the given era would carry it and returns the JSON-RPC answer. */
  rpc(era: Era, method: string, params: unknown | RawParams, headers?: Record<string, string>): Promise<RpcAnswer>;
  /** Sends one JSON-RPC request as the given era would carry it and returns the HTTP response as it came. */
  send(era: Era, id: number | string, method: string, params: unknown | RawParams, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Params given as JSON text, for values JSON.stringify cannot write (nested 20,000 levels deep). */
export class RawParams {
  constructor(readonly json: string) {}
}

export interface RpcAnswer {
  status: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

const modernMeta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };

/** The JSON-RPC message of an answer sent as JSON or as a server-sent event stream. */
async function answerOf(response: Response): Promise<RpcAnswer> {
  const text = await response.text();
  const json = (response.headers.get("content-type") ?? "").includes("text/event-stream")
    ? text.split("\n").filter((line) => line.startsWith("data:")).map((line) => line.slice(5).trim()).filter(Boolean).at(-1)
    : text;
  const message = JSON.parse(json ?? "{}") as { result?: Record<string, unknown>; error?: RpcAnswer["error"] };
  return { status: response.status, result: message.result, error: message.error };
}

/** The per-request `_meta` envelope of the 2026-07-28 revision, merged with the params' own `_meta`. */
function withModernMeta(params: unknown): unknown {
  if (params instanceof RawParams) return new RawParams(`{"_meta":${JSON.stringify(modernMeta)},${params.json.slice(1)}`);
  if (!params || typeof params !== "object" || Array.isArray(params)) return params;
  const own = (params as { _meta?: unknown })._meta;
  // A `_meta` that is not an object is sent as it is, for tests of what the gateway does with it.
  if (own !== undefined && (typeof own !== "object" || own === null || Array.isArray(own))) return { _meta: modernMeta, ...params };
  return { ...params, _meta: { ...modernMeta, ...(own as object | undefined) } };
}

/** The headers the 2026-07-28 revision wants repeated from the body. */
function modernHeaders(method: string, params: unknown): Record<string, string> {
  // Mcp-Name repeats a tools/call's name; a header cannot carry every name.
  const name = (params as { name?: unknown } | null)?.name;
  const nameHeader: Record<string, string> = typeof name === "string" && /^[\x21-\x7e]{1,256}$/.test(name) ? { "mcp-name": name } : {};
  return { "mcp-protocol-version": "2026-07-28", "mcp-method": method, ...nameHeader };
}

export async function startGovernedGateway(
  name = "com.example/records",
  tools: FixtureTool[] = defaultFixtureTools,
  { approvalTools, fixture: fixtureOptions }: { approvalTools?: string[]; fixture?: Omit<FixtureOptions, "tools"> } = {},
): Promise<GovernedGateway> {
  const fixture = await startFixtureServer({ ...fixtureOptions, tools });
  const { serverId, versionId, agentId, key } = await governFixtureServer(fixture.url, { name, approvalTools });
  const gateway = await startGatewayServer();
  const auth = { Authorization: `Bearer ${key}` };
  let nextId = 1;

  const post = (body: unknown, headers: Record<string, string>) =>
    fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...auth, ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const message = (id: number | string, method: string, params: unknown) =>
    params instanceof RawParams
      ? `{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${params.json}}`
      : { jsonrpc: "2.0", id, method, params };

  let legacySession: string | undefined;
  async function openLegacySession(): Promise<string> {
    const initialize = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1.0.0" } };
    const response = await post({ jsonrpc: "2.0", id: nextId++, method: "initialize", params: initialize }, {});
    await response.text();
    const session = response.headers.get("mcp-session-id")!;
    const headers = { "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" };
    await (await post({ jsonrpc: "2.0", method: "notifications/initialized" }, headers)).text();
    return session;
  }

  async function postOnSession(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    legacySession ??= await openLegacySession();
    return post(body, { "mcp-session-id": legacySession, "mcp-protocol-version": "2025-11-25", ...headers });
  }

  function send(era: Era, id: number | string, method: string, params: unknown, headers: Record<string, string> = {}): Promise<Response> {
    if (era === "legacy") return postOnSession(message(id, method, params), headers);
    return post(message(id, method, withModernMeta(params)), { ...modernHeaders(method, params), ...headers });
  }

  return {
    fixture,
    url: gateway.url,
    key,
    agentId,
    serverId,
    versionId,
    serverName: name,
    exposed: (tool) => namespacedToolName(name, tool)!,
    async connect(era, headers = {}) {
      const requestInit = { headers: { ...auth, ...headers } };
      if (era === "legacy") {
        const client = new LegacyClient({ name: "legacy-host", version: "1.0.0" });
        await client.connect(new LegacyTransport(new URL(gateway.url), { requestInit }));
        return client;
      }
      const client = new ModernClient({ name: "modern-host", version: "1.0.0" });
      await client.connect(new ModernTransport(new URL(gateway.url), { requestInit }));
      return client;
    },
    rpc: async (era, method, params, headers = {}) => answerOf(await send(era, nextId++, method, params, headers)),
    send,
    close: () => closeGatewayTest(gateway, fixture),
  };
}

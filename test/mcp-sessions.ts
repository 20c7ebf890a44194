// The sessions of a stateful MCP test server, shared by the fixtures: one transport and one SDK server per
// session, opened by an initialize request, ended by DELETE or by `closeAll` (as a restarted server forgets).
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";

/** What became of a request: handled, or refused for the fixture to answer in its own way. */
export type SessionOutcome = "handled" | "unknown-session" | "not-initialize";

export interface McpSessions {
  handle(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, newServer: () => Server): Promise<SessionOutcome>;
  started(): number;
  open(): number;
  servers(): Server[];
  closeAll(): void;
}

/** `eventStream`: answers as event streams (which carry the notifications and requests about a call) rather than as JSON. */
export function mcpSessions(options: { eventStream?: boolean } = {}): McpSessions {
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; mcp: Server }>();
  let started = 0;
  return {
    async handle(req, res, body, newServer) {
      const sessionId = req.headers["mcp-session-id"];
      if (typeof sessionId === "string") {
        const session = sessions.get(sessionId);
        if (!session) return "unknown-session";
        await session.transport.handleRequest(req, res, body);
        return "handled";
      }
      if (req.method !== "POST" || !isInitializeRequest(body)) return "not-initialize";
      const mcp = newServer();
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: !options.eventStream,
        onsessioninitialized: (id) => {
          sessions.set(id, { transport, mcp });
          started++;
        },
        onsessionclosed: (id) => void sessions.delete(id),
      });
      await mcp.connect(transport);
      await transport.handleRequest(req, res, body);
      return "handled";
    },
    started: () => started,
    open: () => sessions.size,
    servers: () => [...sessions.values()].map((session) => session.mcp),
    closeAll: () => {
      const open = [...sessions.values()];
      sessions.clear();
      for (const session of open) void session.mcp.close();
    },
  };
}

// A stateful MCP backend for tests of what the gateway sends upstream: a counter per session (two
// callers sharing a session would see each other's counts), and, once told to, a check of Toolgate's
// minted tokens on every request against its published JWKS with jose, as a real backend would verify them.
import http from "node:http";
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from "@modelcontextprotocol/sdk/types.js";
import { closeServer, listenOnLoopback } from "./loopback";
import { mcpSessions } from "./mcp-sessions";

export const upstreamFixtureTools: Tool[] = [
  {
    name: "count",
    description: "Adds one to this session's counter and returns it.",
    inputSchema: { type: "object", properties: { note: { type: "string" } } },
    annotations: { readOnlyHint: false },
  },
  {
    name: "whoami",
    description: "Returns the verified claims of the token this call carried.",
    inputSchema: { type: "object", properties: { id: { type: "string" } } },
    annotations: { readOnlyHint: true },
  },
];

/** One request as the fixture saw it: the Authorization header and, when it verified, the token's claims. */
export interface SeenRequest {
  httpMethod: string;
  headers: http.IncomingHttpHeaders;
  rpcMethod?: string;
  authorization?: string;
  claims?: JWTPayload;
}

export interface UpstreamFixture {
  url: string;
  seen: SeenRequest[];
  /** From now on every request needs a token Toolgate minted for this endpoint (else HTTP 401). */
  requireMintedTokens(verify: { jwksUrl: string; issuer: string }): void;
  sessionsStarted(): number;
  openSessions(): number;
  close(): Promise<void>;
}

export async function startUpstreamFixture(): Promise<UpstreamFixture> {
  const sessions = mcpSessions();
  const seen: SeenRequest[] = [];
  let verifier: { keys: ReturnType<typeof createRemoteJWKSet>; issuer: string } | undefined;
  let url = "";

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = req.method === "POST" ? await readJson(req) : undefined;
    const request: SeenRequest = { httpMethod: req.method ?? "", headers: { ...req.headers }, authorization: req.headers.authorization, rpcMethod: (body as { method?: string } | undefined)?.method };
    seen.push(request);
    if (verifier) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
      try {
        if (!token) throw new Error("no token");
        const { payload } = await jwtVerify(token, verifier.keys, { issuer: verifier.issuer, audience: url, algorithms: ["EdDSA"] });
        request.claims = payload;
      } catch {
        res.writeHead(401, { "content-type": "application/json" }).end(JSON.stringify({ error: "invalid token" }));
        return;
      }
    }
    // The SDK hands a request's `auth` to the tool handler as `authInfo`.
    const auth = request.claims && { token: "", clientId: String(request.claims.sub), scopes: [], extra: { claims: request.claims } };
    const outcome = await sessions.handle(Object.assign(req, { auth }), res, body, () => counterServer(request));
    if (outcome === "unknown-session") res.writeHead(404).end();
    if (outcome === "not-initialize") res.writeHead(400).end();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  url = `${await listenOnLoopback(server)}/mcp`;
  return {
    url,
    seen,
    requireMintedTokens: ({ jwksUrl, issuer }) => {
      verifier = { keys: createRemoteJWKSet(new URL(jwksUrl)), issuer };
    },
    sessionsStarted: sessions.started,
    openSessions: sessions.open,
    close: () => {
      sessions.closeAll();
      return closeServer(server);
    },
  };
}

function counterServer(initialize: SeenRequest): Server {
  let count = 0;
  const server = new Server({ name: "upstream-fixture", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: upstreamFixtureTools }));
  server.setRequestHandler(CallToolRequestSchema, (request, extra) => {
    if (request.params.name === "count") {
      count++;
      return { content: [{ type: "text", text: String(count) }], structuredContent: { count, sessionSubject: String(initialize.claims?.sub ?? "") } };
    }
    // The claims of the token on this very request.
    const claims = (extra.authInfo?.extra?.claims as JWTPayload | undefined) ?? {};
    return { content: [{ type: "text", text: JSON.stringify(claims) }], structuredContent: { claims: { ...claims } } };
  });
  return server;
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return undefined;
  }
}

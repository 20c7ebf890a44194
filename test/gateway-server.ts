// The gateway's route handler behind a real HTTP server on loopback, so tests can drive it with the
// official MCP SDK clients exactly as a host would.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { correlationIdFor, handleGatewayRequest, maxBodyBytes } from "@/lib/gateway/http";

// Bodies are read whole before the handler sees them, as Next.js does for route handlers; a declared
// length over the gateway's limit is streamed instead, so the handler's own limit answers it.
async function toRequest(incoming: http.IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const url = new URL(incoming.url ?? "/", origin);
  if (incoming.method === "GET" || incoming.method === "HEAD") return new Request(url, { method: incoming.method, headers });
  if (Number(incoming.headers["content-length"] ?? Infinity) > maxBodyBytes) {
    return new Request(url, { method: incoming.method, headers, body: Readable.toWeb(incoming) as ReadableStream, duplex: "half" } as RequestInit);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  return new Request(url, { method: incoming.method, headers, body: Buffer.concat(chunks) });
}

async function send(response: Response, outgoing: http.ServerResponse) {
  outgoing.writeHead(response.status, Object.fromEntries(response.headers));
  if (!response.body) return outgoing.end();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) outgoing.write(chunk);
  outgoing.end();
}

export async function startGatewayServer(): Promise<{ url: string; origin: string; close(): Promise<void> }> {
  let origin = "";
  const server = http.createServer((incoming, outgoing) => {
    toRequest(incoming, origin)
      .then((request) => handleGatewayRequest(request, correlationIdFor(request)))
      .then((response) => send(response, outgoing))
      .catch((error: unknown) => {
        outgoing.statusCode = 500;
        outgoing.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_URL = origin;
  return {
    url: `${origin}/mcp`,
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

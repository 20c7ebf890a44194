// The gateway's route handler behind a real HTTP server on loopback, so tests can drive it with the
// official MCP SDK clients exactly as a host would.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { handleGatewayRequest } from "@/lib/gateway/http";

function toRequest(incoming: http.IncomingMessage, origin: string): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
  return new Request(new URL(incoming.url ?? "/", origin), {
    method: incoming.method,
    headers,
    body: hasBody ? (Readable.toWeb(incoming) as ReadableStream) : undefined,
    duplex: "half",
  } as RequestInit);
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
    handleGatewayRequest(toRequest(incoming, origin), crypto.randomUUID())
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

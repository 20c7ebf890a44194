import type http from "node:http";
import { Readable } from "node:stream";
import { maxBodyBytes } from "./http";

// Route handlers (Fetch API in, Fetch API out) served straight from Node's HTTP server, as the app's
// front server does for the gateway (lib/runtime/app-server.ts) and the tests' harness does too.

export type FetchHandler = (request: Request) => Promise<Response>;

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

/** Answers one HTTP request with a Fetch API handler; `origin` is this server's own, for the Request URL. */
export function serveWith(handler: FetchHandler, incoming: http.IncomingMessage, outgoing: http.ServerResponse, origin: string): void {
  toRequest(incoming, origin)
    .then(handler)
    .then((response) => send(response, outgoing))
    .catch((error: unknown) => {
      console.error("[toolgate] request failed:", error);
      if (outgoing.headersSent) return void outgoing.destroy();
      outgoing.writeHead(500, { "content-type": "application/json" });
      outgoing.end(JSON.stringify({ error: "Internal error." }));
    });
}

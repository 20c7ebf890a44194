import type http from "node:http";
import type { Socket } from "node:net";
import { type EdgeRequest, fromNode, type GatewayAnswer, type NodeBody } from "./edge-request";
import { internalErrorResponse, maxBodyBytes } from "./http";

// Handlers served straight from Node's HTTP server, as the app's front server does for the gateway
// (lib/runtime/app-server.ts) and the tests' harness does too. They see an EdgeRequest (a Fetch Request
// only when they ask for one) and answer with a Response or a PlainAnswer.

export type EdgeHandler = (request: EdgeRequest) => Promise<GatewayAnswer>;
export type FetchHandler = (request: Request) => Promise<Response>;

/** A Fetch API handler served by the front server. */
export function fetchHandler(handler: FetchHandler): EdgeHandler {
  return (request) => handler(request.fetchRequest());
}

// Bodies are read whole before the handler sees them, as Next.js does for route handlers, but never
// past the gateway's limit: a body that goes on (chunked, or declared too long) is cut there, so the
// handler's own limit answers it and the connection is closed after the answer rather than read to its end.
function readBody(incoming: http.IncomingMessage): Promise<NodeBody> {
  if (Number(incoming.headers["content-length"] ?? 0) > maxBodyBytes) return Promise.resolve({ bytes: Buffer.alloc(0), complete: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer<ArrayBuffer>[] = [];
    let size = 0;
    const settle = (complete: boolean) => {
      incoming.off("data", onData).off("end", onEnd).off("error", reject).off("close", onClose);
      resolve({ bytes: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), complete });
    };
    const onData = (chunk: Buffer<ArrayBuffer>) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBodyBytes) {
        incoming.pause();
        settle(false);
      }
    };
    const onEnd = () => settle(true);
    const onClose = () => reject(new Error("The client closed the connection before sending the whole body."));
    incoming.on("data", onData).on("end", onEnd).on("error", reject).on("close", onClose);
  });
}

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, which Node's server manages: a handler's
// `Connection: keep-alive` (the SDKs put one on event streams) would otherwise overrule a client's `close`.
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

async function send(answer: GatewayAnswer, outgoing: http.ServerResponse) {
  if (!(answer instanceof Response)) {
    outgoing.writeHead(answer.status, withoutHopByHop(Object.entries(answer.headers)));
    return outgoing.end(answer.body);
  }
  const response = answer;
  outgoing.writeHead(response.status, withoutHopByHop(response.headers));
  if (!response.body) return outgoing.end();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) outgoing.write(chunk);
  outgoing.end();
}

function withoutHopByHop(headers: Iterable<[string, string]>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of headers) if (!hopByHop.has(name)) kept[name] = value;
  return kept;
}

/** How long a connection whose client is still sending stays half-closed after its answer. */
const lingerMs = 2_000;

// Closing a connection while its client is still sending resets it, and a reset client drops the answer
// it has not read yet (here, the 413). So, as web servers do, the connection is half-closed after the
// answer (the client reads it and the end of stream) and closed a moment later, still without reading.
function closeAfterClientReads(socket: Socket): void {
  socket.destroySoon = () => {
    socket.end();
    setTimeout(() => socket.destroy(), lingerMs).unref();
  };
}

/** Answers one HTTP request with a handler; `origin` is this server's own, for the request's URL. */
export function serveWith(handler: EdgeHandler, incoming: http.IncomingMessage, outgoing: http.ServerResponse, origin: string): void {
  const reading = incoming.method === "GET" || incoming.method === "HEAD" ? Promise.resolve(undefined) : readBody(incoming);
  reading
    .then(async (body) => {
      // What is left of a cut body is never read: the connection closes once the answer is out.
      if (body && !body.complete) {
        outgoing.shouldKeepAlive = false;
        closeAfterClientReads(incoming.socket);
      }
      await send(await handler(fromNode(incoming, origin, body, outgoing)), outgoing);
    })
    .catch((error: unknown) => {
      console.error("[toolgate] request failed:", error);
      if (outgoing.headersSent || incoming.destroyed) return void outgoing.destroy();
      void send(internalErrorResponse(), outgoing).catch(() => outgoing.destroy());
    });
}

import type http from "node:http";

// What the gateway's edge reads of an HTTP request and what it answers with, without the Fetch API's
// Request, Headers and Response where the hot path does not need them: building them, and reading a
// body back through their streams, cost more per call than the gateway's own checks. A Fetch Request is
// made only for the SDK paths (fetchRequest), and an answer the gateway wrote itself (a PlainAnswer) goes
// to the socket as it is. The route handler under `next dev` goes through the same edge (fromFetch).

export interface HeaderReader {
  get(name: string): string | null;
  has(name: string): boolean;
}

export interface EdgeRequest {
  readonly method: string;
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: HeaderReader;
  /** The client's address as the socket saw it, when known. */
  readonly clientAddress?: string;
  /** The body as text, or null when it is longer than `maxBytes`. */
  text(maxBytes: number): Promise<string | null>;
  /** The same request as a Fetch API Request, for the SDK transports; made once, when first asked for. */
  fetchRequest(): Request;
  /**
   * Aborts when the client goes away before its answer is written (a 2026-07-28 client cancels a call by
   * closing its request): made when first asked for, so a request that never asks pays nothing.
   */
  signal(): AbortSignal;
}

/** An answer the gateway serialised itself: written as it is by the front server. */
export interface PlainAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type GatewayAnswer = Response | PlainAnswer;

export function plainAnswer(status: number, headers: Record<string, string>, body: string): PlainAnswer {
  return { status, headers, body };
}

/** A gateway answer as a Fetch API Response (for the route handler). */
export function asResponse(answer: GatewayAnswer): Response {
  return answer instanceof Response ? answer : new Response(answer.body, { status: answer.status, headers: answer.headers });
}

// ---- From a Fetch API Request (the route handler) ----

// Reads the body up to the limit and no further: a chunked body has no length to check up front, and
// reading it whole first would let one request fill the memory. Null when the limit is passed.
async function readLimited(request: Request, maxBytes: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength;
    if (size > maxBytes) {
      // Stop pulling rather than cancel: cancelling destroys the connection under Node's server, often
      // before the 413 is written. Unpulled, the stream pauses; the server closes it after the answer.
      reader.releaseLock();
      return null;
    }
    chunks.push(read.value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function fromFetch(request: Request): EdgeRequest {
  return {
    method: request.method,
    url: request.url,
    headers: request.headers,
    async text(maxBytes) {
      const length = request.headers.get("content-length");
      // A declared length within the limit bounds the body already (the HTTP parser stops there), so it
      // is read in one go; only a body of unknown length is counted as it arrives.
      if (Number(length ?? 0) > maxBytes) return null;
      return length !== null ? request.text() : readLimited(request, maxBytes);
    },
    fetchRequest: () => request,
    signal: () => request.signal,
  };
}

// ---- From Node's HTTP server (the front server) ----

export interface NodeBody {
  bytes: Buffer<ArrayBuffer>;
  /** False when reading stopped at the limit: the rest is still on the wire. */
  complete: boolean;
}

class NodeHeaders implements HeaderReader {
  constructor(private readonly raw: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }
}

export function fromNode(incoming: http.IncomingMessage, origin: string, body: NodeBody | undefined, outgoing?: http.ServerResponse): EdgeRequest {
  const url = new URL(incoming.url ?? "/", origin).href;
  let request: Request | undefined;
  let gone: AbortController | undefined;
  const signal = () => {
    if (gone) return gone.signal;
    gone = new AbortController();
    const controller = gone;
    // The answer's 'close' comes once it is written, or earlier when the connection went: only the latter aborts.
    outgoing?.once("close", () => {
      if (!outgoing.writableFinished) controller.abort(new DOMException("The client closed the request before its answer.", "AbortError"));
    });
    return controller.signal;
  };
  return {
    method: incoming.method ?? "GET",
    url,
    headers: new NodeHeaders(incoming.headers),
    clientAddress: incoming.socket.remoteAddress,
    text: async (maxBytes) => (!body ? "" : !body.complete || body.bytes.length > maxBytes ? null : body.bytes.toString("utf8")),
    fetchRequest() {
      request ??= toFetchRequest(incoming, url, body?.bytes, outgoing ? signal() : undefined);
      return request;
    },
    signal,
  };
}

function toFetchRequest(incoming: http.IncomingMessage, url: string, body: Buffer<ArrayBuffer> | undefined, signal: AbortSignal | undefined): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
  }
  return new Request(url, { method: incoming.method, headers, body, signal });
}

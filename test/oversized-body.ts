// A client that streams a chunked request body (no Content-Length) far larger than any limit, as an
// attacker would, and a way to see how much of it a server actually read off its sockets.
import http from "node:http";

export interface OversizedAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Bytes of body the client managed to write before the server answered or closed. */
  sentBytes: number;
}

/**
 * POSTs up to `totalBytes` of body to `url`, stopping as soon as the server answers: chunked (no
 * Content-Length), or with the length declared up front when `declared` is set.
 */
export function postOversized(url: string, headers: Record<string, string>, { totalBytes = 300 * 1024 * 1024, declared = false } = {}): Promise<OversizedAnswer> {
  const chunk = Buffer.alloc(64 * 1024, "a");
  return new Promise((resolve, reject) => {
    let sentBytes = 0;
    let answered = false;
    const request = http.request(url, { method: "POST", headers: { ...headers, ...(declared ? { "content-length": String(totalBytes) } : { "transfer-encoding": "chunked" }) } });
    request.on("response", (response) => {
      answered = true;
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (text: string) => (body += text));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, sentBytes }));
      response.on("error", reject);
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sentBytes < totalBytes) {
        sentBytes += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      if (!answered) request.end();
    };
    pump();
  });
}

/** Counts the bytes a server reads off all its connections, closed ones included. */
export function countBytesRead(server: http.Server): () => number {
  const sockets = new Set<import("node:net").Socket>();
  server.on("connection", (socket) => sockets.add(socket));
  return () => [...sockets].reduce((sum, socket) => sum + socket.bytesRead, 0);
}

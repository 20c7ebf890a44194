// Benchmark hop: the least a proxy can do, as the yardstick of "one hop" on this machine. A Node HTTP server
// that forwards each request to the backend with undici (method, path, headers but hop-by-hop ones, body)
// and streams the answer back: no parsing, no checks, no audit. Prints its URL.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { z } from "zod";

const target = new URL(z.url({ protocol: /^http$/ }).parse(process.env.TARGET_SERVER_URL));
const pool = new Pool(target.origin);
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer", "host"]);

function endToEnd(headers: http.IncomingHttpHeaders | Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && !hopByHop.has(name)) kept[name] = value;
  return kept;
}

function readBody(incoming: http.IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk)).on("end", () => resolve(chunks.length ? Buffer.concat(chunks) : undefined)).on("error", reject);
  });
}

async function forward(incoming: http.IncomingMessage, outgoing: http.ServerResponse): Promise<void> {
  const body = await readBody(incoming);
  const answer = await pool.request({ method: incoming.method as "POST", path: incoming.url ?? "/", headers: endToEnd(incoming.headers), body });
  outgoing.writeHead(answer.statusCode, endToEnd(answer.headers));
  // A client that goes away (the end of a GET event stream) ends the backend's answer too.
  outgoing.once("close", () => answer.body.destroy());
  for await (const chunk of answer.body) outgoing.write(chunk);
  outgoing.end();
}

const server = http.createServer((incoming, outgoing) => {
  forward(incoming, outgoing).catch((error: unknown) => {
    if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
    outgoing.end(String(error));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
process.stdout.write(`READY http://127.0.0.1:${(server.address() as AddressInfo).port}${target.pathname}\n`);
process.on("SIGTERM", () => process.exit(0));

import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countBytesRead, postOversized } from "@/test/oversized-body";
import { agentWithKey } from "@/test/registry";
import { maxBodyBytes, serveGatewayRequest } from "./http";

// The route handler as `next dev` serves it: the request body reaches it as a stream, read only as the
// handler pulls it. The server here answers what the handler returns.
let server: http.Server;
let origin: string;
let bytesRead: () => number;

beforeAll(async () => {
  server = http.createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? "/", origin);
    const body = Readable.toWeb(incoming) as ReadableStream<Uint8Array>;
    const request = new Request(url, { method: incoming.method, headers: incoming.headers as Record<string, string>, body, duplex: "half" } as RequestInit);
    // The connection is left open after the answer: closing it with the client's bytes still unread
    // would reset it, and a reset client drops the answer it had not read yet (the test is about the
    // handler, not about how a server closes).
    void serveGatewayRequest(request).then(async (response) => {
      outgoing.writeHead(response.status, Object.fromEntries(response.headers));
      outgoing.end(Buffer.from(await response.arrayBuffer()));
    });
  });
  bytesRead = countBytesRead(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_URL = origin;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("a chunked body larger than the limit, to the route handler", () => {
  it("is answered 413 once the limit is passed, without reading the rest", async () => {
    const { key } = await agentWithKey("prod");
    const answer = await postOversized(`${origin}/mcp`, { authorization: `Bearer ${key}`, "content-type": "application/json" });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
    expect(bytesRead()).toBeLessThan(2 * maxBodyBytes);
  }, 60_000);
});

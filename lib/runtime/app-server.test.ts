import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentWithKey } from "@/test/registry";
import { createFrontServer } from "./app-server";

// The front server as `npm start` runs it, with a plain Node server standing in for Next.js behind it. The
// stand-in says Connection: keep-alive whatever it was asked, as a route handler streaming events may.
let upstream: http.Server;
let front: http.Server;
let port: number;

const listen = (server: http.Server) => new Promise<number>((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));

beforeAll(async () => {
  upstream = http.createServer((_incoming, outgoing) => outgoing.writeHead(200, { connection: "keep-alive" }).end("a page"));
  const upstreamPort = await listen(upstream);
  front = createFrontServer(`http://127.0.0.1:${upstreamPort}`);
  port = await listen(front);
  process.env.NEXTAUTH_URL = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const server of [front, upstream]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Sends raw HTTP/1.1; resolves with the answer and how long the server took to close after answering. */
function exchange(request: string): Promise<{ answer: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.write(request));
    let answer = "";
    let firstByteAt = 0;
    socket.setEncoding("utf8").on("data", (text: string) => {
      firstByteAt ||= Date.now();
      answer += text;
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open 3 s after answering: ${answer.split("\r\n")[0]}`));
    }, 3_000);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - firstByteAt });
    });
    socket.on("error", reject);
  });
}

const headerOf = (answer: string, name: string) =>
  answer
    .split("\r\n\r\n", 1)[0]!
    .split("\r\n")
    .find((line) => line.toLowerCase().startsWith(`${name}:`))
    ?.slice(name.length + 1)
    .trim();

describe("a request sent with Connection: close, to the front server", () => {
  it("is answered with Connection: close and the connection closed, for a page Next.js serves", async () => {
    const { answer, closedAfterMs } = await exchange(`GET /agents HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain("a page");
    expect(headerOf(answer, "connection")).toBe("close");
    expect(closedAfterMs).toBeLessThan(1_000);
  });

  it("is answered with Connection: close and the connection closed, for the gateway's event stream", async () => {
    const { key } = await agentWithKey("prod");
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } });
    const { answer, closedAfterMs } = await exchange(
      `POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer).toContain('"protocolVersion"');
    expect(headerOf(answer, "connection")).toBe("close");
    expect(closedAfterMs).toBeLessThan(1_000);
  });
});

describe("a Host header that makes no URL, to the gateway", () => {
  it("is refused as a host the gateway does not serve, in JSON-RPC", async () => {
    const { answer } = await exchange("POST /mcp HTTP/1.1\r\nHost: a b\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    expect(answer).toMatch(/^HTTP\/1\.1 421/);
    // The body comes chunked; the JSON is the one chunk.
    expect(JSON.parse(/\{.*\}/s.exec(answer)![0])).toMatchObject({ jsonrpc: "2.0", error: { code: -32000 } });
  });
});

describe("the gateway's per-entry and per-bundle endpoints, at the front server", () => {
  const ask = (path: string) => exchange(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);

  it.each(["/mcp/servers/com.example%2Fcrm", "/mcp/bundles/support-desk", "/mcp/servers/..%2F..%2Fagents", "/mcp/servers/../../agents"])("answers %s itself, never Next.js", async (path) => {
    const { answer } = await ask(path);
    // No key: the gateway's 401, not Next.js's page.
    expect(answer).toMatch(/^HTTP\/1\.1 401/);
    expect(answer).not.toContain("a page");
  });

  it("leaves other paths to Next.js", async () => {
    expect((await ask("/mcpx")).answer).toContain("a page");
  });
});

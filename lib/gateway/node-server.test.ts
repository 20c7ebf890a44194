import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { countBytesRead, postOversized } from "@/test/oversized-body";
import { agentWithKey } from "@/test/registry";
import { maxBodyBytes, serveGateway } from "./http";
import { type EdgeHandler, fetchHandler, type FetchHandler, serveWith } from "./node-server";

const servers: http.Server[] = [];

async function serveEdge(handler: EdgeHandler): Promise<{ origin: string; bytesRead: () => number }> {
  let origin = "";
  const server = http.createServer((incoming, outgoing) => serveWith(handler, incoming, outgoing, origin));
  const bytesRead = countBytesRead(server);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_URL = origin;
  return { origin, bytesRead };
}

const serve = (handler: FetchHandler) => serveEdge(fetchHandler(handler));

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(
    servers.splice(0).map((server) => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    }),
  );
});

/** Sends raw HTTP/1.1 and resolves with what came back once the server closes, or rejects after `ms`. */
function rawExchange(origin: string, request: string, ms: number): Promise<string> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname, () => socket.write(request));
    let received = "";
    socket.setEncoding("utf8").on("data", (text: string) => (received += text));
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${ms} ms after: ${received.split("\r\n")[0]}`));
    }, ms);
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on("error", reject);
  });
}

describe("serving a route handler from Node's HTTP server", () => {
  it("hands the handler the method, URL, headers and body, and sends its answer back", async () => {
    const { origin } = await serve(async (request) =>
      Response.json({ method: request.method, url: request.url, tag: request.headers.get("x-tag"), body: await request.text() }, { status: 201 }),
    );
    const response = await fetch(`${origin}/mcp?x=1`, { method: "POST", headers: { "x-tag": "t" }, body: "hello" });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ method: "POST", url: `${origin}/mcp?x=1`, tag: "t", body: "hello" });
  });

  it("relays a streamed body as it comes, not when it ends", async () => {
    const encoder = new TextEncoder();
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const { origin } = await serve(async () => {
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(encoder.encode("data: one\n\n"));
          // The second event waits for the client to have read the first.
          await released;
          controller.enqueue(encoder.encode("data: two\n\n"));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "text/event-stream" } });
    });
    const response = await fetch(`${origin}/mcp`);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: one\n\n");
    release();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("data: two\n\n");
  });

  it("answers a handler's failure with a JSON-RPC 500 that names no internals", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { origin } = await serve(async () => {
      throw new Error("secret detail");
    });
    const response = await fetch(`${origin}/mcp`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("secret detail");
    expect(JSON.parse(text)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32603, message: expect.any(String) } });
  });

  it("honours a client's Connection: close even when the handler's answer says keep-alive", async () => {
    // The SDKs answer event streams with Connection: keep-alive, a hop-by-hop header a handler has no say in.
    const { origin } = await serve(async () => new Response("data: one\n\n", { headers: { "content-type": "text/event-stream", connection: "keep-alive" } }));
    const answer = await rawExchange(origin, "GET /mcp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1_000);
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect(answer.toLowerCase()).toContain("connection: close");
    expect(answer.toLowerCase()).not.toContain("keep-alive");
  });
});

describe("a body larger than the gateway's limit, to the front server", () => {
  it.each([
    ["chunked, with no Content-Length", false],
    ["with its length declared", true],
  ])("%s, is answered 413 as a JSON-RPC error after reading little more than the limit, and the connection is closed", async (_how, declared) => {
    const { key } = await agentWithKey("prod");
    const { origin, bytesRead } = await serveEdge(serveGateway);
    const answer = await postOversized(`${origin}/mcp`, { authorization: `Bearer ${key}`, "content-type": "application/json" }, { declared });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: "2.0", error: { code: -32600 } });
    expect(answer.headers.connection).toBe("close");
    // The client had 300 MB to send; the server read its limit and what was already in flight.
    expect(bytesRead()).toBeLessThan(2 * maxBodyBytes);
    expect(answer.sentBytes).toBeLessThan(300 * 1024 * 1024);
  }, 60_000);
});

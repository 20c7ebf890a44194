import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type FetchHandler, serveWith } from "./node-server";

const servers: http.Server[] = [];

async function serve(handler: FetchHandler): Promise<string> {
  let origin = "";
  const server = http.createServer((incoming, outgoing) => serveWith(handler, incoming, outgoing, origin));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return origin;
}

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

describe("serving a route handler from Node's HTTP server", () => {
  it("hands the handler the method, URL, headers and body, and sends its answer back", async () => {
    const origin = await serve(async (request) =>
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
    const origin = await serve(async () => {
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

  it("answers a handler's failure with a 500 that names no internals", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const origin = await serve(async () => {
      throw new Error("secret detail");
    });
    const response = await fetch(`${origin}/mcp`);
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain("secret detail");
  });
});

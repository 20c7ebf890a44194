import { randomUUID } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { freePort } from "@/lib/net/free-port";
import { type FixtureServer, startFixtureServer } from "@/test/mcp-fixture-server";
import { startServerEverything } from "@/test/server-everything";
import { type Backend, BackendCallError, BackendPool, type BackendPoolOptions, BackendUnavailableError, backendStates, callTool, closeAllBackends } from "./backends";

const policy = { allow: ["127.0.0.0/8", "::1/128"] };

const pools: BackendPool[] = [];
const fixtures: FixtureServer[] = [];

function newPool(options: BackendPoolOptions = {}): BackendPool {
  const pool = new BackendPool({ policy, ...options });
  pools.push(pool);
  return pool;
}

async function newFixture(options: Parameters<typeof startFixtureServer>[0] = {}): Promise<FixtureServer> {
  const fixture = await startFixtureServer(options);
  fixtures.push(fixture);
  return fixture;
}

function backendAt(url: string, extra: Partial<Backend> = {}): Backend {
  return { serverId: randomUUID(), serverName: "com.example/records", versionId: randomUUID(), version: "1.0.0", endpointUrl: url, ...extra };
}

/** A fresh fixture backend, the Backend that names it and a pool of its own. */
async function fixtureBackend(extra: Partial<Backend> = {}) {
  const fixture = await newFixture();
  return { fixture, pool: newPool(), backend: backendAt(fixture.url, extra) };
}

const toolCalls = (fixture: FixtureServer, name?: string) => fixture.received.filter((request) => request.toolCall && (!name || request.toolCall.name === name));

afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  await Promise.all(fixtures.splice(0).map((fixture) => fixture.close()));
});

describe("forwarding a call", () => {
  it("passes the backend's result back unchanged: content, structuredContent and isError", async () => {
    const fixture = await newFixture();
    const answer: CallToolResult = {
      content: [
        { type: "text", text: "not found", annotations: { audience: ["user"], priority: 0.5 } },
        { type: "resource_link", uri: "file:///records/7", name: "record 7", _meta: { "x-vendor": 1 } },
      ],
      structuredContent: { id: "7", found: false },
      isError: true,
      _meta: { "io.example/trace": "abc" },
    };
    fixture.setResponder(() => answer);
    const result = await newPool().callTool(backendAt(fixture.url), "read_record", { id: "7" }, { readOnly: true });
    expect(result).toEqual(answer);
  });

  it("sends the arguments as given and returns the echo", async () => {
    const fixture = await newFixture();
    const args = { id: "r-1", nested: { list: [1, "two", null] } };
    const result = await newPool().callTool(backendAt(fixture.url), "read_record", args, { readOnly: true });
    expect(result).toEqual({ content: [{ type: "text", text: JSON.stringify(args) }], structuredContent: args });
    expect(toolCalls(fixture)[0]!.toolCall).toEqual({ name: "read_record", arguments: args });
  });

  it("answers a backend's JSON-RPC error with a clear error that keeps the backend's code", async () => {
    const fixture = await newFixture();
    const pool = newPool();
    const failure = await pool.callTool(backendAt(fixture.url), "no_such_tool", {}, { readOnly: true }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendCallError);
    expect((failure as BackendCallError).message).toBe("backend com.example/records answered with an error: Unknown tool no_such_tool");
    // Exactly as the backend sent it (an SDK-built server prefixes its code).
    expect((failure as BackendCallError).rpcError).toEqual({ code: -32602, message: "MCP error -32602: Unknown tool no_such_tool" });
  });

  it("gives up after the call's timeout, without a retry, and says so", async () => {
    const fixture = await newFixture();
    // The call's timeout runs on undici's shared timers, which tick every half second: it fires within
    // about a second of its time, long before this backend would answer.
    fixture.setResponder(() => new Promise((resolve) => setTimeout(() => resolve(undefined), 4_000)));
    const started = Date.now();
    const call = newPool().callTool(backendAt(fixture.url), "read_record", { id: "1" }, { readOnly: true, timeoutMs: 200 });
    await expect(call).rejects.toThrow("backend com.example/records did not answer within 0.2 s");
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(toolCalls(fixture)).toHaveLength(1);
  });
});

describe("against the reference server-everything", () => {
  let everything: Awaited<ReturnType<typeof startServerEverything>>;
  let direct: Client;
  beforeAll(async () => {
    everything = await startServerEverything();
    direct = new Client({ name: "direct", version: "1.0.0" });
    await direct.connect(new StreamableHTTPClientTransport(new URL(everything.url)));
  });
  afterAll(async () => {
    await direct.close();
    await everything.close();
  });

  it("returns what a direct client gets, structured content and tool errors included", async () => {
    const pool = newPool();
    const backend = backendAt(everything.url, { serverName: "everything" });
    for (const [name, args] of [
      ["get-structured-content", { location: "Chicago" }],
      ["get-structured-content", { location: "Atlantis" }],
      ["echo", { message: "hello" }],
    ] as const) {
      const viaPool = await pool.callTool(backend, name, args, { readOnly: true });
      expect(viaPool).toEqual(await direct.callTool({ name, arguments: args }));
    }
    const structured = await pool.callTool(backend, "get-structured-content", { location: "Chicago" }, { readOnly: true });
    expect(structured.structuredContent).toEqual({ temperature: 36, conditions: "Light rain / drizzle", humidity: 82 });
    const invalid = await pool.callTool(backend, "get-structured-content", { location: "Atlantis" }, { readOnly: true });
    expect(invalid.isError).toBe(true);
  });

  it("ends a call whose streamed answer breaks off at the size limit at once, not at its timeout", async () => {
    const pool = newPool({ maxResponseBytes: 32 * 1024, timeoutMs: 10_000 });
    const started = Date.now();
    const call = pool.callTool(backendAt(everything.url, { serverName: "everything" }), "echo", { message: "x".repeat(100_000) }, { readOnly: false });
    await expect(call).rejects.toThrow("backend everything ended the exchange before answering (the answer broke off: The server's response exceeded the 32 KB limit.)");
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("sessions", () => {
  it("reuses one session, and concurrent first calls share one connect", async () => {
    const { fixture, pool, backend } = await fixtureBackend();
    await Promise.all(Array.from({ length: 10 }, (_, i) => pool.callTool(backend, "read_record", { id: String(i) }, { readOnly: true })));
    for (let i = 0; i < 5; i++) await pool.callTool(backend, "search_records", { query: "x" }, { readOnly: false });
    expect(fixture.sessionsStarted()).toBe(1);
    expect(fixture.received.filter((request) => request.rpcMethod === "initialize")).toHaveLength(1);
    expect(toolCalls(fixture)).toHaveLength(15);
  });

  it("sends the server-side credential with every request and never an Authorization header it was not given", async () => {
    const fixture = await newFixture({ requireHeader: { name: "X-Api-Key", value: "backend-secret" } });
    const pool = newPool();
    const result = await pool.callTool(backendAt(fixture.url, { headers: { "X-Api-Key": "backend-secret" } }), "read_record", { id: "1" }, { readOnly: true });
    expect(result.isError).toBeUndefined();
    expect(fixture.received.length).toBeGreaterThan(1);
    for (const request of fixture.received) {
      expect(request.headers["x-api-key"]).toBe("backend-secret");
      expect(request.headers.authorization).toBeUndefined();
    }
  });

  it("explains a refused credential", async () => {
    const fixture = await newFixture({ requireHeader: { name: "X-Api-Key", value: "backend-secret" } });
    const call = newPool().callTool(backendAt(fixture.url, { headers: { "X-Api-Key": "wrong" } }), "read_record", { id: "1" }, { readOnly: false });
    await expect(call).rejects.toThrow(
      "backend com.example/records refused the gateway's credentials (HTTP 401); check the credential configured for this server",
    );
  });

  it("opens a new session when the catalog's credential for the backend changes", async () => {
    const { fixture, pool, backend } = await fixtureBackend({ headers: { "X-Api-Key": "old" } });
    await pool.callTool(backend, "read_record", { id: "1" }, { readOnly: true });
    await pool.callTool({ ...backend, headers: { "X-Api-Key": "new" } }, "read_record", { id: "2" }, { readOnly: true });
    expect(fixture.sessionsStarted()).toBe(2);
    expect(toolCalls(fixture).map((request) => request.headers["x-api-key"])).toEqual(["old", "new"]);
  });

  it("reconnects when the backend forgot the session (404), retrying a read-only call on the new one", async () => {
    const { fixture, pool, backend } = await fixtureBackend();
    await pool.callTool(backend, "read_record", { id: "1" }, { readOnly: true });
    fixture.expireSessions();
    const result = await pool.callTool(backend, "read_record", { id: "2" }, { readOnly: true });
    expect(result.structuredContent).toEqual({ id: "2" });
    expect(fixture.sessionsStarted()).toBe(2);
  });

  it("does not retry a tool that is not read-only after a lost session, but the next call reconnects", async () => {
    const { fixture, pool, backend } = await fixtureBackend();
    await pool.callTool(backend, "delete_record", { id: "1" }, { readOnly: false });
    fixture.expireSessions();
    await expect(pool.callTool(backend, "delete_record", { id: "2" }, { readOnly: false })).rejects.toThrow(
      "backend com.example/records no longer knows the gateway's session (HTTP 404); the next call opens a new one",
    );
    expect(toolCalls(fixture, "delete_record")).toHaveLength(2);
    await pool.callTool(backend, "delete_record", { id: "3" }, { readOnly: false });
    expect(fixture.sessionsStarted()).toBe(2);
  });
});

describe("retries", () => {
  it("retries a read-only call once, on a new session, when the connection broke", async () => {
    const { fixture, pool, backend } = await fixtureBackend();
    fixture.dropToolCalls(1);
    const result = await pool.callTool(backend, "read_record", { id: "1" }, { readOnly: true });
    expect(result.structuredContent).toEqual({ id: "1" });
    expect(toolCalls(fixture, "read_record")).toHaveLength(2);
    expect(fixture.sessionsStarted()).toBe(2);
  });

  it("gives up on a read-only call after one retry", async () => {
    const fixture = await newFixture();
    fixture.dropToolCalls(2);
    const call = newPool().callTool(backendAt(fixture.url), "read_record", { id: "1" }, { readOnly: true });
    await expect(call).rejects.toThrow("could not connect to backend com.example/records: the server closed the connection");
    expect(toolCalls(fixture, "read_record")).toHaveLength(2);
  });

  it("never retries a tool that is not read-only: it may have run", async () => {
    const { fixture, pool, backend } = await fixtureBackend();
    fixture.dropToolCalls(1);
    await expect(pool.callTool(backend, "delete_record", { id: "1" }, { readOnly: false })).rejects.toBeInstanceOf(BackendCallError);
    expect(toolCalls(fixture, "delete_record")).toHaveLength(1);
    await pool.callTool(backend, "delete_record", { id: "2" }, { readOnly: false });
    expect(toolCalls(fixture, "delete_record")).toHaveLength(2);
  });
});

describe("the tools watcher", () => {
  it("checks a new session's tools before its first call and refuses the tools it names", async () => {
    const fixture = await newFixture();
    const seen: string[][] = [];
    const pool = newPool({
      watcher: async (_backend, liveTools) => {
        seen.push(liveTools.map((tool) => tool.name));
        return { drifted: ["read_record"] };
      },
    });
    const backend = backendAt(fixture.url);
    await expect(pool.callTool(backend, "read_record", { id: "1" }, { readOnly: true })).rejects.toThrow(
      "tool read_record of server com.example/records is blocked: definition drift since certification",
    );
    await pool.callTool(backend, "delete_record", { id: "1" }, { readOnly: false });
    expect(seen).toEqual([["read_record", "delete_record", "search_records"]]);
    expect(toolCalls(fixture).map((request) => request.toolCall!.name)).toEqual(["delete_record"]);
  });

  it("refuses calls while the check itself fails, without opening the breaker", async () => {
    const fixture = await newFixture();
    const pool = newPool({ watcher: () => Promise.reject(new Error("database unreachable")), breaker: { volumeThreshold: 2 } });
    const backend = backendAt(fixture.url);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (let i = 0; i < 4; i++) {
        await expect(pool.callTool(backend, "delete_record", { id: "1" }, { readOnly: false })).rejects.toThrow(
          "could not check backend com.example/records for drift; its tools are refused until a check succeeds",
        );
      }
    } finally {
      errors.mockRestore();
    }
    expect(pool.states()[0]!.state).toBe("closed");
    expect(toolCalls(fixture)).toEqual([]);
  });
});

describe("the circuit breaker", () => {
  it("opens for a backend that is down, fails fast with a clear error, and closes once the backend is back", async () => {
    const port = await freePort();
    const pool = newPool({ breaker: { resetTimeoutMs: 400, volumeThreshold: 5 } });
    const backend = backendAt(`http://127.0.0.1:${port}/mcp`);
    const call = () => pool.callTool(backend, "delete_record", { id: "1" }, { readOnly: false });
    for (let i = 0; i < 5; i++) {
      await expect(call()).rejects.toThrow("could not connect to backend com.example/records: connection refused");
    }
    expect(pool.states()).toEqual([{ versionId: backend.versionId, serverName: "com.example/records", state: "open", sessions: 0 }]);

    const started = Date.now();
    const failure = await call().catch((error: unknown) => error);
    expect(Date.now() - started).toBeLessThan(100);
    expect(failure).toBeInstanceOf(BackendUnavailableError);
    expect((failure as Error).message).toBe("backend com.example/records is unavailable (circuit open); retry in ~1s");

    const fixture = await newFixture({ port });
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(pool.states()[0]!.state).toBe("half-open");
    const result = await call();
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify({ id: "1" }) }]);
    expect(pool.states()[0]!.state).toBe("closed");
    expect(toolCalls(fixture)).toHaveLength(1);
  });

  it("counts a backend's answers, errors included, as signs of health", async () => {
    const fixture = await newFixture();
    const pool = newPool({ breaker: { volumeThreshold: 2 } });
    const backend = backendAt(fixture.url);
    for (let i = 0; i < 6; i++) await pool.callTool(backend, "no_such_tool", {}, { readOnly: false }).catch(() => {});
    expect(pool.states()[0]!.state).toBe("closed");
  });
});

describe("the process-wide pool", () => {
  it("calls, reports breaker states and closes every session for shutdown", async () => {
    const fixture = await newFixture();
    const backend = backendAt(fixture.url);
    await callTool(backend, "read_record", { id: "1" }, { readOnly: true });
    expect(backendStates()).toContainEqual({ versionId: backend.versionId, serverName: "com.example/records", state: "closed", sessions: 1 });
    await closeAllBackends();
    expect(backendStates()).toEqual([]);
    // The backend was told the session ended.
    expect(fixture.received.at(-1)?.httpMethod).toBe("DELETE");
  });
});

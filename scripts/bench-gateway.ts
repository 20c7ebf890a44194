// `npm run bench:gateway`: tools/call throughput and latency through the gateway and directly against
// the same backend, with the same load generator and concurrency; prints the gateway's added latency.
// Backend, gateway and load each run in their own process on a throw-away embedded PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Agent, request } from "undici";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const levels = (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number);
const backendKey = randomBytes(16).toString("hex");

function startChild(script: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const nodeOptions = (env.BENCH_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeOptions, "--import", "tsx", script], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const ready = /READY (\S+)/.exec(chunk.toString());
      if (ready) resolve({ url: ready[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

async function prepareDatabase() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-bench-"));
  const { freePort } = await import("../test/free-port");
  const { startEmbeddedPostgres } = await import("../lib/db/embedded-postgres");
  const { migrate } = await import("../lib/db/migrate");
  const database = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: "toolgate_bench" });
  await migrate(database.url);
  return { url: database.url, stop: async () => { await database.stop(); await rm(dir, { recursive: true, force: true }); } };
}

// Sessions are opened by the SDK client (initialize, the Mcp-Session-Id, the negotiated version). The
// calls are then sent as plain HTTP requests, the same bytes a host sends, so the load generator —
// which shares the two cores with the backend, the gateway and PostgreSQL — costs as little as it can.
async function openSession(url: string, headers: Record<string, string>) {
  const client = new Client({ name: "bench", version: "1.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
  await client.connect(transport);
  const sessionHeaders = {
    ...headers,
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    "mcp-session-id": transport.sessionId ?? "",
    "mcp-protocol-version": transport.protocolVersion ?? "",
  };
  return { client, sessionHeaders };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** One tools/call; a JSON-RPC error or a tool error counts as a failure. */
async function callOnce(dispatcher: Agent, url: string, headers: Record<string, string>, body: string): Promise<boolean> {
  const response = await request(url, { method: "POST", headers, body, dispatcher });
  const text = await response.body.text();
  return response.statusCode === 200 && text.includes('"result"') && !text.includes('"isError":true');
}

async function drive(url: string, headers: Record<string, string>, tool: string, concurrency: number) {
  const sessions = await Promise.all(Array.from({ length: concurrency }, () => openSession(url, headers)));
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const warmUntil = performance.now() + 500;
  const until = warmUntil + seconds * 1000;
  await Promise.all(
    sessions.map(async ({ sessionHeaders }, index) => {
      for (let n = 0; performance.now() < until; n++) {
        const body = JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: tool, arguments: { id: `r-${index}-${n}` } } });
        const started = performance.now();
        const ok = await callOnce(dispatcher, url, sessionHeaders, body).catch(() => false);
        if (started < warmUntil) continue;
        if (!ok) failures++;
        latencies.push(performance.now() - started);
      }
    }),
  );
  await Promise.all(sessions.map(({ client }) => client.close()));
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return { throughput: latencies.length / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), failures };
}

const fixed = (n: number) => n.toFixed(2).padStart(8);

async function main() {
  const database = await prepareDatabase();
  const env = {
    DATABASE_URL: database.url,
    TOOLGATE_ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    TOOLGATE_OUTBOUND_ALLOW: "loopback",
    TOOLGATE_RATE_AGENT_PER_SECOND: "1000000",
    TOOLGATE_RATE_TOOL_PER_SECOND: "1000000",
    TOOLGATE_QUOTA_AGENT_PER_DAY: "1000000000",
    BENCH_BACKEND_KEY: backendKey,
  };
  Object.assign(process.env, env);
  const children: ChildProcess[] = [];
  try {
    const backend = await startChild("scripts/bench/backend.ts", env);
    children.push(backend.child);
    const { certifiedAgentKey } = await import("./bench/setup");
    const { key, tool } = await certifiedAgentKey(backend.url, { header: "X-Backend-Key", value: backendKey });
    const gateway = await startChild("scripts/bench/gateway.ts", { ...env, BENCH_NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS ?? "" });
    children.push(gateway.child);
    console.log(`tools/call of read_record, ${seconds} s per run, over Streamable HTTP sessions opened by the SDK client\n`);
    console.log("clients  path       calls/s      p50 ms   p95 ms   p99 ms  failures");
    for (const concurrency of levels) {
      const direct = await drive(backend.url, { "X-Backend-Key": backendKey }, "read_record", concurrency);
      const through = await drive(gateway.url, { Authorization: `Bearer ${key}` }, tool, concurrency);
      for (const [label, run] of [["direct ", direct], ["gateway", through]] as const) {
        console.log(`${String(concurrency).padStart(7)}  ${label}  ${fixed(run.throughput)}  ${fixed(run.p50)} ${fixed(run.p95)} ${fixed(run.p99)}  ${run.failures}`);
      }
      console.log(`${String(concurrency).padStart(7)}  added    p50 +${(through.p50 - direct.p50).toFixed(2)} ms, p95 +${(through.p95 - direct.p95).toFixed(2)} ms\n`);
    }
  } finally {
    // The gateway flushes its audit queue as it stops, so the database waits for it.
    await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once("exit", resolve), child.kill("SIGTERM"))))));
    const { db } = await import("../lib/db/prisma");
    await db().$disconnect();
    await database.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

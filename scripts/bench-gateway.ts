// `npm run bench:gateway`: tools/call throughput and latency through the gateway and directly against
// the same backend, with the same load generator and concurrency; prints the gateway's added latency.
// Backend, gateway and load each run in their own process on a throw-away embedded PostgreSQL.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Agent, request } from "undici";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
// Unmeasured calls on each path first, so both are measured with their code compiled by the JIT.
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const levels = (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number);
// The paced runs' total rate, the issue's 1,000 calls/s target by default; 0 leaves them out.
const rate = Number(process.env.BENCH_RATE ?? 1000);
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

// By default the gateway is the app's production server (scripts/serve.ts, what `npm start` runs, on the
// production build); BENCH_GATEWAY=handler serves the bare handler instead, with no build needed.
async function startAppGateway(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  if (!existsSync(".next/BUILD_ID")) {
    console.log("No production build yet: running `next build` once.");
    const build = spawn(process.execPath, ["node_modules/next/dist/bin/next", "build"], { stdio: ["ignore", "ignore", "inherit"], env: process.env });
    if ((await new Promise((resolve) => build.once("exit", resolve))) !== 0) throw new Error("next build failed.");
  }
  const { freePort } = await import("@/lib/net/free-port");
  const port = String(await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const appEnv: Record<string, string> = { ...env, NODE_ENV: "production", PORT: port, HOST: "127.0.0.1", NEXTAUTH_URL: origin, NEXTAUTH_SECRET: randomBytes(32).toString("hex"), NEXT_TELEMETRY_DISABLED: "1" };
  const nodeOptions = (process.env.BENCH_GATEWAY_NODE_OPTIONS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeOptions, "--import", "tsx", "scripts/serve.ts"], { env: { ...process.env, ...appEnv }, stdio: ["ignore", "ignore", "inherit"] });
  const { waitUntilServing } = await import("@/lib/runtime/app-server");
  await waitUntilServing(origin, child, "scripts/serve.ts");
  return { url: `${origin}/mcp`, child };
}

async function prepareDatabase() {
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-bench-"));
  const { freePort } = await import("@/lib/net/free-port");
  const { startEmbeddedPostgres } = await import("../lib/db/embedded-postgres");
  const { migrate } = await import("../lib/db/migrate");
  const database = await startEmbeddedPostgres({ dataDir: dir, port: await freePort(), database: "toolgate_bench" });
  await migrate(database.url);
  return { url: database.url, dataDir: dir, stop: async () => { await database.stop(); await rm(dir, { recursive: true, force: true }); } };
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

/** CPU seconds a child process has used so far, all its threads (garbage collection included); NaN off Linux. */
async function cpuSeconds(child: ChildProcess): Promise<number> {
  const stat = await readFile(`/proc/${child.pid}/stat`, "utf8").catch(() => "");
  // Fields 14 and 15 (utime, stime) in clock ticks, counted after the parenthesised command name.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return stat ? (Number(fields[11]) + Number(fields[12])) / 100 : NaN;
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

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));

/** A path to drive: its URL, the headers that authenticate, the tool's name there, the process serving it. */
interface Target {
  url: string;
  headers: Record<string, string>;
  tool: string;
  server: ChildProcess;
}

/**
 * Each of `concurrency` clients sends one call after another for `seconds`. Unpaced, a client sends as
 * soon as its last call returned (the most the path can do). Paced, the clients share `pace` calls/s on
 * a fixed schedule, and a call's latency counts from when it was due, so a stall also counts against
 * the calls it delayed.
 */
async function drive({ url, headers, tool, server }: Target, { concurrency, pace, seconds }: { concurrency: number; pace?: number; seconds: number }) {
  const sessions = await Promise.all(Array.from({ length: concurrency }, () => openSession(url, headers)));
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const warmUntil = start + 500;
  const until = warmUntil + seconds * 1000;
  const interval = pace ? (1000 * concurrency) / pace : 0;
  const cpuAtWarm = new Promise<number>((resolve) => setTimeout(() => resolve(cpuSeconds(server)), warmUntil - performance.now()));
  await Promise.all(
    sessions.map(async ({ sessionHeaders }, index) => {
      const firstDue = start + (index * interval) / concurrency;
      for (let n = 0; ; n++) {
        const due = pace ? firstDue + n * interval : performance.now();
        if (due >= until) break;
        if (pace) await sleepUntil(due);
        const body = JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: tool, arguments: { id: `r-${index}-${n}` } } });
        const ok = await callOnce(dispatcher, url, sessionHeaders, body).catch(() => false);
        if (due < warmUntil) continue;
        if (!ok) failures++;
        latencies.push(performance.now() - due);
      }
    }),
  );
  const cpuMsPerCall = ((await cpuSeconds(server)) - (await cpuAtWarm)) * 1000 / latencies.length;
  await Promise.all(sessions.map(({ client }) => client.close()));
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => percentile(latencies, p);
  return { throughput: latencies.length / seconds, p50: at(50), p95: at(95), p99: at(99), failures, cpuMsPerCall };
}

const fixed = (n: number) => n.toFixed(2).padStart(8);

async function main() {
  const database = await prepareDatabase();
  const env = {
    DATABASE_URL: database.url,
    TOOLGATE_DATA_DIR: database.dataDir,
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
    const bareHandler = process.env.BENCH_GATEWAY === "handler";
    const gateway = bareHandler
      ? await startChild("scripts/bench/gateway.ts", { ...env, BENCH_NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS ?? "" })
      : await startAppGateway(env);
    children.push(gateway.child);
    console.log(`tools/call of read_record, ${seconds} s per run, over Streamable HTTP sessions opened by the SDK client`);
    console.log(`gateway: ${bareHandler ? "the bare handler on a Node HTTP server" : "the app's production server (scripts/serve.ts)"}`);
    console.log(`"as fast as it goes": each client sends its next call when the last one returns (saturation)`);
    console.log(`"paced": the clients share ${rate} calls/s, latency counted from when each call was due`);
    console.log(`"server CPU": CPU time of the process serving the calls (backend or gateway), per call\n`);
    console.log("clients  load               path       calls/s      p50 ms   p95 ms   p99 ms  server CPU  failures");
    const direct: Target = { url: backend.url, headers: { "X-Backend-Key": backendKey }, tool: "read_record", server: backend.child };
    const through: Target = { url: gateway.url, headers: { Authorization: `Bearer ${key}` }, tool, server: gateway.child };
    if (warmupSeconds > 0) for (const target of [direct, through]) await drive(target, { concurrency: 16, seconds: warmupSeconds });
    for (const concurrency of levels) {
      // One client has one call in flight at a time, so it cannot be held to a rate; it runs unpaced only.
      for (const pace of rate && concurrency > 1 ? [undefined, rate] : [undefined]) {
        const runs = [["direct ", await drive(direct, { concurrency, pace, seconds })], ["gateway", await drive(through, { concurrency, pace, seconds })]] as const;
        const load = (pace ? `paced ${pace}/s` : "as fast as it goes").padEnd(18);
        for (const [label, run] of runs) {
          console.log(`${String(concurrency).padStart(7)}  ${load} ${label}  ${fixed(run.throughput)}  ${fixed(run.p50)} ${fixed(run.p95)} ${fixed(run.p99)}  ${fixed(run.cpuMsPerCall)} ms  ${run.failures}`);
        }
        const [[, d], [, g]] = runs;
        console.log(`${String(concurrency).padStart(7)}  ${load} added    p50 +${(g.p50 - d.p50).toFixed(2)} ms, p95 +${(g.p95 - d.p95).toFixed(2)} ms\n`);
      }
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

// `npm run bench:gateway`: tools/call throughput and latency directly against a backend, through a plain
// passthrough peer with no governance (@civic/passthrough-mcp-server) and through the gateway, all to the
// same backend with the same load generator and concurrency; prints the gateway's added latency and its
// calls/s against the peer's and direct. Backend, peer, gateway and load each run in their own process,
// on a throw-away embedded PostgreSQL. BENCH_PEER=0 leaves the peer out.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Agent, request } from "undici";
import { prepareDatabase } from "./bench/database";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
// Unmeasured calls on each path first, so both are measured with their code compiled by the JIT.
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const levels = (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number);
// The paced runs' total rate, the issue's 1,000 calls/s target by default; 0 leaves them out.
const rate = Number(process.env.BENCH_RATE ?? 1000);
// More than one gateway process tries whether the second core helps (issue 15); 1 by default.
const gatewayProcesses = Number(process.env.BENCH_GATEWAY_PROCESSES ?? 1);
const withPeer = process.env.BENCH_PEER !== "0";
// The gateway's clients spread over this many agents (client i is agent i mod n), each with its own
// upstream session; 1 by default.
const agentCount = Math.max(1, Number(process.env.BENCH_AGENTS ?? 1));
// BENCH_MINTED=1: the server's upstream auth is `minted`, so every call carries a token the gateway signs.
const minted = process.env.BENCH_MINTED === "1";
// BENCH_TOKENS=1: the gateway's clients send access tokens from a real authorization server instead of keys.
const withTokens = process.env.BENCH_TOKENS === "1";
// BENCH_ENDPOINT=entry: the clients call the entry's own endpoint, /mcp/servers/{name}, by the tool's unprefixed name.
const atEntry = process.env.BENCH_ENDPOINT === "entry";
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
  label: string;
  /** One per process serving the path; client i keeps to urls[i % n], as a load balancer with session affinity would. */
  urls: string[];
  headers: Record<string, string>;
  /** Per client (client i takes entry i mod n), when the clients are not all alike: the gateway's agents. */
  clientHeaders?: Record<string, string>[];
  tool: string;
  servers: ChildProcess[];
}

async function cpuSecondsOf(servers: ChildProcess[]): Promise<number> {
  return (await Promise.all(servers.map(cpuSeconds))).reduce((sum, seconds) => sum + seconds, 0);
}

/**
 * Each of `concurrency` clients sends one call after another for `seconds`. Unpaced, a client sends as
 * soon as its last call returned (the most the path can do). Paced, the clients share `pace` calls/s on
 * a fixed schedule, and a call's latency counts from when it was due, so a stall also counts against
 * the calls it delayed. Throughput is the calls measured over the time until the last one returned, so
 * a paced path that falls behind shows the rate it sustained rather than the rate it was asked for.
 */
async function drive({ urls, headers, clientHeaders, tool, servers }: Target, { concurrency, pace, seconds }: { concurrency: number; pace?: number; seconds: number }) {
  const headersOf = (index: number) => (clientHeaders ? clientHeaders[index % clientHeaders.length]! : headers);
  const sessions = await Promise.all(Array.from({ length: concurrency }, async (_, index) => ({ url: urls[index % urls.length]!, ...(await openSession(urls[index % urls.length]!, headersOf(index))) })));
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const warmUntil = start + 500;
  const until = warmUntil + seconds * 1000;
  const interval = pace ? (1000 * concurrency) / pace : 0;
  const cpuAtWarm = new Promise<number>((resolve) => setTimeout(() => resolve(cpuSecondsOf(servers)), warmUntil - performance.now()));
  await Promise.all(
    sessions.map(async ({ url, sessionHeaders }, index) => {
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
  const measuredSeconds = (performance.now() - warmUntil) / 1000;
  const cpuMsPerCall = ((await cpuSecondsOf(servers)) - (await cpuAtWarm)) * 1000 / latencies.length;
  await Promise.all(sessions.map(({ client }) => client.close()));
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => percentile(latencies, p);
  return { throughput: latencies.length / measuredSeconds, p50: at(50), p95: at(95), p99: at(99), failures, cpuMsPerCall };
}

/**
 * Fails unless a call on this path returns the backend's echo of its arguments: a path that answers with
 * errors (the peer unable to reach the backend, say) would look fast and be measured as a failure count.
 */
async function expectEcho({ label, urls, headers, tool }: Target) {
  const path = label.trim();
  const { client } = await openSession(urls[0]!, headers).catch((error: unknown) => {
    throw new Error(`The ${path} path does not open a session: ${String(error)}`, { cause: error });
  });
  try {
    const result = await client.callTool({ name: tool, arguments: { id: "echo-check" } });
    const echoed = !result.isError && (result.structuredContent as { id?: unknown } | undefined)?.id === "echo-check";
    if (!echoed) throw new Error(`The ${path} path does not return the backend's answer: ${JSON.stringify(result)}`);
  } finally {
    await client.close();
  }
}

type Run = Awaited<ReturnType<typeof drive>>;
interface TargetRuns {
  single?: { direct: Run; gateway: Run };
  saturated?: { direct: Run; peer?: Run; gateway: Run };
  paced?: { direct: Run; gateway: Run };
}

/** Issue 15's four targets, from the runs that measure them (16 clients unpaced and paced, 1 client). */
function printTargets({ single, saturated, paced }: TargetRuns) {
  const line = (met: boolean, text: string) => console.log(`${met ? "met   " : "missed"}  ${text}`);
  console.log("targets (issue 15):");
  if (saturated) {
    const { direct, peer, gateway } = saturated;
    line(gateway.cpuMsPerCall <= 0.35, `gateway CPU per call at 16 clients ${gateway.cpuMsPerCall.toFixed(2)} ms (at most 0.35 ms)`);
    if (peer) line(gateway.throughput >= 1.5 * peer.throughput, `calls/s at 16 clients ${(gateway.throughput / peer.throughput).toFixed(2)}x the peer's (at least 1.5x)`);
    line(gateway.throughput >= 0.5 * direct.throughput, `calls/s at 16 clients ${Math.round((100 * gateway.throughput) / direct.throughput)}% of direct (at least 50%)`);
  }
  if (paced) line(paced.gateway.p95 - paced.direct.p95 < 5, `p95 added paced at ${rate}/s with 16 clients ${signed(paced.gateway.p95 - paced.direct.p95)} ms (under 5 ms)`);
  if (single) line(single.gateway.p50 - single.direct.p50 < 0.5, `p50 added with 1 client ${signed(single.gateway.p50 - single.direct.p50)} ms (under 0.5 ms)`);
}

const fixed = (n: number) => n.toFixed(2).padStart(8);
const signed = (n: number) => `${n < 0 ? "" : "+"}${n.toFixed(2)}`;

async function main() {
  const database = await prepareDatabase("toolgate_bench");
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
  const closers: (() => Promise<void>)[] = [];
  try {
    const backend = await startChild("scripts/bench/backend.ts", { ...env, BENCH_MINTED: minted ? "1" : "0" });
    children.push(backend.child);
    // The peer forwards the client's headers (all but hop-by-hop, cookie and MCP ones) from its initialize
    // request to the backend for the whole session, so it reaches the same backend with the same X-Backend-Key.
    const peer = withPeer ? await startChild("scripts/bench/peer.ts", { TARGET_SERVER_URL: new URL(backend.url).origin, HOOKS: "" }) : undefined;
    if (peer) children.push(peer.child);
    const { certifiedAgentKeys } = await import("./bench/setup");
    const { keys, agentIds, admin, tool, serverName } = await certifiedAgentKeys(backend.url, { header: "X-Backend-Key", value: backendKey }, { agents: agentCount, minted });
    const bareHandler = process.env.BENCH_GATEWAY === "handler";
    const gateways = [];
    for (let n = 0; n < gatewayProcesses; n++) {
      const gateway = bareHandler
        ? await startChild("scripts/bench/gateway.ts", { ...env, BENCH_NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS ?? "" })
        : await startAppGateway(env);
      children.push(gateway.child);
      gateways.push(gateway);
    }
    console.log(`tools/call of read_record, ${seconds} s per run, over Streamable HTTP sessions opened by the SDK client`);
    console.log(`gateway: ${bareHandler ? "the bare handler on a Node HTTP server" : "the app's production server (scripts/serve.ts)"}${gatewayProcesses > 1 ? `, ${gatewayProcesses} processes, each client kept to one (BENCH_GATEWAY_PROCESSES)` : ""}`);
    if (peer) console.log(`peer: @civic/passthrough-mcp-server, a plain Streamable HTTP passthrough with no hooks (BENCH_PEER=0 leaves it out)`);
    const credentials = withTokens ? await (await import("./bench/tokens")).agentTokens(gateways[0]!.url, admin, agentIds) : undefined;
    if (credentials) closers.push(credentials.close);
    console.log(`agents: ${agentCount} (BENCH_AGENTS), client i calls as agent i mod ${agentCount}, each agent on its own upstream session; upstream auth: ${minted ? "minted token per call (BENCH_MINTED=1)" : "static header"}`);
    console.log(`gateway endpoint: ${atEntry ? "the entry's own, /mcp/servers/{name}, unprefixed names (BENCH_ENDPOINT=entry)" : "/mcp"}`);
    console.log(`agent credentials: ${credentials ? "access tokens from oidc-provider, one client per agent (BENCH_TOKENS=1)" : "API keys"}`);
    console.log(`"as fast as it goes": each client sends its next call when the last one returns (saturation)`);
    console.log(`"paced": the clients share ${rate} calls/s, latency counted from when each call was due`);
    console.log(`"server CPU": CPU time of the process serving the calls (backend, peer or gateway, not the backend behind them), per call\n`);
    const direct: Target = { label: "direct ", urls: [backend.url], headers: { "X-Backend-Key": backendKey }, tool: "read_record", servers: [backend.child] };
    const passthrough: Target | undefined = peer && { label: "peer   ", urls: [peer.url], headers: { "X-Backend-Key": backendKey }, tool: "read_record", servers: [peer.child] };
    const clientHeaders = (credentials?.tokens ?? keys).map((credential) => ({ Authorization: `Bearer ${credential}` }));
    const entryPath = `/servers/${encodeURIComponent(serverName)}`;
    const gatewayUrls = gateways.map((gateway) => (atEntry ? `${gateway.url}${entryPath}` : gateway.url));
    const through: Target = { label: "gateway", urls: gatewayUrls, headers: clientHeaders[0]!, clientHeaders, tool: atEntry ? "read_record" : tool, servers: gateways.map((gateway) => gateway.child) };
    const targets = passthrough ? [direct, passthrough, through] : [direct, through];
    for (const target of targets) await expectEcho(target);
    console.log("clients  load               path       calls/s      p50 ms   p95 ms   p99 ms  server CPU  failures");
    if (warmupSeconds > 0) for (const target of targets) await drive(target, { concurrency: 16, seconds: warmupSeconds });
    const summary: TargetRuns = {};
    for (const concurrency of levels) {
      // One client has one call in flight at a time, so it cannot be held to a rate; it runs unpaced only.
      for (const pace of rate && concurrency > 1 ? [undefined, rate] : [undefined]) {
        const load = (pace ? `paced ${pace}/s` : "as fast as it goes").padEnd(18);
        const row = `${String(concurrency).padStart(7)}  ${load}`;
        const runs = new Map<Target, Awaited<ReturnType<typeof drive>>>();
        for (const target of targets) {
          const run = await drive(target, { concurrency, pace, seconds });
          console.log(`${row} ${target.label}  ${fixed(run.throughput)}  ${fixed(run.p50)} ${fixed(run.p95)} ${fixed(run.p99)}  ${fixed(run.cpuMsPerCall)} ms  ${run.failures}`);
          // The peer is the yardstick: errors answered fast would make the gateway look slow beside it.
          if (target === passthrough && run.failures > 0) throw new Error(`The peer answered ${run.failures} calls with errors: its numbers mean nothing.`);
          runs.set(target, run);
        }
        const d = runs.get(direct)!;
        const p = passthrough && runs.get(passthrough)!;
        const g = runs.get(through)!;
        const peerAdded = p ? `; peer p50 ${signed(p.p50 - d.p50)} ms, p95 ${signed(p.p95 - d.p95)} ms` : "";
        console.log(`${row} added    gateway p50 ${signed(g.p50 - d.p50)} ms, p95 ${signed(g.p95 - d.p95)} ms${peerAdded}`);
        const vsPeer = p ? `vs peer ${(g.throughput / p.throughput).toFixed(2)}x, ` : "";
        console.log(`${row} calls/s  gateway ${vsPeer}vs direct ${Math.round((100 * g.throughput) / d.throughput)}%\n`);
        if (concurrency === 1 && !pace) summary.single = { direct: d, gateway: g };
        if (concurrency === 16) summary[pace ? "paced" : "saturated"] = { direct: d, peer: p, gateway: g };
      }
    }
    printTargets(summary);
    const { printPolicyCost } = await import("./bench/policy-cost");
    await printPolicyCost(agentIds[0]!, serverName, "read_record", summary.saturated?.gateway.cpuMsPerCall);
  } finally {
    await Promise.all(closers.map((close) => close()));
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

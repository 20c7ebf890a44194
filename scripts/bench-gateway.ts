// `npm run bench:gateway`: tools/call throughput and latency directly against a backend, through a plain
// passthrough peer with no governance (@civic/passthrough-mcp-server) and through the gateway, all to the
// same backend with the same load generator and concurrency; prints the gateway's added latency and its
// calls/s against the peer's and direct. Beside them, one bare hop (scripts/bench/hop.ts: a proxy that only
// copies bytes) shows what the extra hop alone costs on this machine, so the gateway's own share is seen.
// Backend, hop, peer, gateway and load each run in their own process, on a throw-away embedded PostgreSQL.
// BENCH_PEER=0 leaves the peer out, BENCH_HOP=0 the hop.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { prepareDatabase } from "./bench/database";
import { drive, expectEcho, type Target } from "./bench/load";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
// Unmeasured calls on each path first, so both are measured with their code compiled by the JIT.
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const levels = (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number);
// The paced runs' total rate, the issue's 1,000 calls/s target by default; 0 leaves them out.
const rate = Number(process.env.BENCH_RATE ?? 1000);
// More than one gateway process tries whether the second core helps (issue 15); 1 by default.
const gatewayProcesses = Number(process.env.BENCH_GATEWAY_PROCESSES ?? 1);
const withPeer = process.env.BENCH_PEER !== "0";
const withHop = process.env.BENCH_HOP !== "0";
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
    const hop = withHop ? await startChild("scripts/bench/hop.ts", { TARGET_SERVER_URL: backend.url }) : undefined;
    if (hop) children.push(hop.child);
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
    if (hop) console.log(`hop: a bare proxy that only copies bytes (Node HTTP server + undici), what one more hop costs here (BENCH_HOP=0 leaves it out)`);
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
    const bareHop: Target | undefined = hop && { label: "hop    ", urls: [hop.url], headers: { "X-Backend-Key": backendKey }, tool: "read_record", servers: [hop.child] };
    const clientHeaders = (credentials?.tokens ?? keys).map((credential) => ({ Authorization: `Bearer ${credential}` }));
    const entryPath = `/servers/${encodeURIComponent(serverName)}`;
    const gatewayUrls = gateways.map((gateway) => (atEntry ? `${gateway.url}${entryPath}` : gateway.url));
    const through: Target = { label: "gateway", urls: gatewayUrls, headers: clientHeaders[0]!, clientHeaders, tool: atEntry ? "read_record" : tool, servers: gateways.map((gateway) => gateway.child) };
    const targets = [direct, bareHop, passthrough, through].filter((target) => target !== undefined);
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
          if ((target === passthrough || target === bareHop) && run.failures > 0) throw new Error(`The ${target.label.trim()} answered ${run.failures} calls with errors: its numbers mean nothing.`);
          runs.set(target, run);
        }
        const d = runs.get(direct)!;
        const p = passthrough && runs.get(passthrough)!;
        const g = runs.get(through)!;
        const h = bareHop && runs.get(bareHop)!;
        const peerAdded = p ? `; peer p50 ${signed(p.p50 - d.p50)} ms, p95 ${signed(p.p95 - d.p95)} ms` : "";
        const hopAdded = h ? `; one hop p50 ${signed(h.p50 - d.p50)} ms, p95 ${signed(h.p95 - d.p95)} ms` : "";
        console.log(`${row} added    gateway p50 ${signed(g.p50 - d.p50)} ms, p95 ${signed(g.p95 - d.p95)} ms${hopAdded}${peerAdded}`);
        if (h) console.log(`${row} beyond   the hop: gateway p50 ${signed(g.p50 - h.p50)} ms, CPU per call ${signed(g.cpuMsPerCall - h.cpuMsPerCall)} ms`);
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

// `npm run bench:cluster`: tools/call throughput, p95 and CPU per call directly against a backend, then through
// HAProxy in front of 1, 2 and 3 instances of the production build (the cluster of `npm run test:cluster`:
// test/cluster/harness), in one run, with bench:gateway's load generator (scripts/bench/load.ts). CPU per call
// is the instances' CPU time (every process of each: start script, front server, Next.js) over the measured
// part, divided by the calls; HAProxy's is shown beside it. Needs `npm run build`.
// On one small machine every process (load, HAProxy, instances, PostgreSQL, backend) shares the same cores, so
// more instances cannot add throughput here: what carries over to a real cluster is the CPU per call.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { type BenchEra, drive, expectEcho, type Target } from "./bench/load";

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const levels = (process.env.BENCH_CONCURRENCY ?? "16,64").split(",").map(Number);
// 2026-07-28 hosts are sessionless, so round-robin needs nothing shared; BENCH_ERA=2025-11-25 measures sessions.
const era = (process.env.BENCH_ERA ?? "2026-07-28") as BenchEra;
const backendKey = randomBytes(16).toString("hex");

function startBackend(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/backend.ts"], { env: { ...process.env, BENCH_BACKEND_KEY: backendKey }, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      const ready = /READY (\S+)/.exec(chunk.toString());
      if (ready) resolve({ url: ready[1]!, child });
    });
    child.once("exit", (code) => reject(new Error(`the backend exited with ${code}`)));
  });
}

const fixed = (n: number, width = 8) => n.toFixed(2).padStart(width);

async function main() {
  const { startCluster } = await import("../test/cluster/harness/cluster");
  const { Haproxy } = await import("../test/cluster/harness/haproxy");
  const { cpuSecondsOfGroup } = await import("../test/cluster/harness/processes");
  const backend = await startBackend();
  const workDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-bench-cluster-"));
  const cluster = await startCluster({
    env: { TOOLGATE_RATE_AGENT_PER_SECOND: "1000000", TOOLGATE_RATE_TOOL_PER_SECOND: "1000000", TOOLGATE_QUOTA_AGENT_PER_DAY: "1000000000" },
  });
  let haproxy: InstanceType<typeof Haproxy> | undefined;
  try {
    const { certifiedAgentKeys } = await import("./bench/setup");
    const { keys, tool } = await certifiedAgentKeys(backend.url, { header: "X-Backend-Key", value: backendKey });
    const direct: Target = { label: "direct", urls: [backend.url], headers: { "X-Backend-Key": backendKey }, tool: "read_record", servers: [backend.child] };
    // The cluster's HAProxy is replaced by one in front of the first n instances, on the same port (the
    // instances' public URL), for each n in turn.
    const { port } = cluster.haproxy.options;
    await cluster.haproxy.stop();
    const behind = (count: number): Target => {
      const instances = cluster.instances.slice(0, count);
      const groupsCpu = async (pgids: (number | undefined)[]) => (await Promise.all(pgids.map((pgid) => (pgid ? cpuSecondsOfGroup(pgid) : 0)))).reduce((sum, value) => sum + value, 0);
      return {
        label: `${count} instance${count > 1 ? "s" : ""}`,
        urls: [cluster.url],
        headers: { Authorization: `Bearer ${keys[0]}` },
        tool,
        servers: [],
        era,
        cpu: () => groupsCpu(instances.map((instance) => instance.pgid)),
        sideCpu: () => groupsCpu([haproxy?.pgid]),
      };
    };
    const frontInstances = async (count: number) => {
      await haproxy?.stop();
      haproxy = new Haproxy({ port, servers: cluster.instances.slice(0, count).map((instance) => ({ name: instance.id, port: instance.spec.port })), workDir });
      await haproxy.start();
    };

    console.log(`tools/call of read_record, ${seconds} s per run after ${warmupSeconds} s of warm-up per path; each client sends its next call when the last returns`);
    console.log(`hosts through HAProxy speak MCP ${era} (BENCH_ERA); the direct path is the backend's own 2025-11-25 session`);
    console.log(`machine: ${os.cpus().length} cores shared by the load generator, HAProxy, every instance, PostgreSQL and the backend\n`);
    await expectEcho(direct);
    const rows: { clients: number; label: string; run: Awaited<ReturnType<typeof drive>> }[] = [];
    const directRuns = new Map<number, Awaited<ReturnType<typeof drive>>>();
    if (warmupSeconds > 0) await drive(direct, { concurrency: 16, seconds: warmupSeconds });
    for (const concurrency of levels) {
      const run = await drive(direct, { concurrency, seconds });
      directRuns.set(concurrency, run);
      rows.push({ clients: concurrency, label: direct.label, run });
    }
    for (const count of [1, 2, 3]) {
      await frontInstances(count);
      const target = behind(count);
      await expectEcho(target);
      if (warmupSeconds > 0) await drive(target, { concurrency: 16, seconds: warmupSeconds });
      for (const concurrency of levels) rows.push({ clients: concurrency, label: target.label, run: await drive(target, { concurrency, seconds }) });
    }

    console.log("clients  path           calls/s   p50 ms   p95 ms  p95 added  instances CPU/call  HAProxy CPU/call  failures");
    for (const { clients, label, run } of rows) {
      const added = label === direct.label ? "" : fixed(run.p95 - directRuns.get(clients)!.p95);
      const cpu = label === direct.label ? `${fixed(run.cpuMsPerCall, 7)} ms (backend)` : `${fixed(run.cpuMsPerCall, 7)} ms`;
      const side = label === direct.label ? "" : `${fixed(run.sideCpuMsPerCall, 7)} ms`;
      console.log(`${String(clients).padStart(7)}  ${label.padEnd(12)} ${fixed(run.throughput, 9)} ${fixed(run.p50)} ${fixed(run.p95)} ${added.padStart(10)}  ${cpu.padStart(18)}  ${side.padStart(16)}  ${run.failures}`);
    }
    const three = rows.filter((row) => row.label === "3 instances");
    const cpuMs = Math.max(...three.map((row) => row.run.cpuMsPerCall));
    console.log(`\nsizing: instances = target calls/s × CPU per call ÷ (cores per instance × target utilisation)`);
    for (const rate of [1_000, 5_000]) {
      const needed = (rate * cpuMs) / 1000 / (2 * 0.6);
      console.log(`  ${rate} calls/s × ${cpuMs.toFixed(2)} ms ÷ (2 cores × 60 %) = ${needed.toFixed(1)} → ${Math.max(2, Math.ceil(needed))} instances (at least 2 for availability)`);
    }
  } finally {
    await haproxy?.stop();
    await cluster.stop();
    backend.child.kill("SIGTERM");
    await rm(workDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

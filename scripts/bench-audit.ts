// `npm run bench:audit`: audit throughput with 1, 2 and 3 writer processes (each standing for a Toolgate
// instance: scripts/bench/audit-writer.ts) on one throw-away embedded PostgreSQL. Every audit insert takes the
// hash chain's one head row lock (docs/decisions/010); this measures what that costs when several instances
// write at once. Two modes: `saturate` (500-event batches back to back: the ceiling) and `gateway`
// (BENCH_RATE events/s per writer, ~1,500 = one gateway at its benchmarked rate, queued and flushed as
// lib/gateway/audit-queue.ts does). Each writer also records a person action every 50 ms, one event per
// statement through Prisma, as the console does. Lock waits: pg_stat_activity sampled every 10 ms.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { performance } from "node:perf_hooks";
import pg from "pg";
import { prepareDatabase } from "./bench/database";

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5_000);
const rate = Number(process.env.BENCH_RATE ?? 1_500);
const writerCounts = (process.env.BENCH_WRITERS ?? "1,2,3").split(",").map(Number);
const modes = (process.env.BENCH_MODES ?? "saturate,gateway").split(",") as ("saturate" | "gateway")[];

interface WriterResult {
  events: number;
  backlog: number;
  consoleEvents: number;
  eventDelayMs: number[];
  batchMs: number[];
  consoleMs: number[];
}

const p95 = (values: number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))]!;
};
const fixed = (value: number, digits = 1) => (Number.isNaN(value) ? "–" : value.toFixed(digits));

async function startWriter(url: string, mode: string, name: string): Promise<{ child: ChildProcess; result: Promise<WriterResult> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/bench/audit-writer.ts"], {
    env: { ...process.env, DATABASE_URL: url, BENCH_MODE: mode, BENCH_DURATION_MS: String(durationMs), BENCH_RATE: String(rate), BENCH_WRITER: name },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let output = "";
  let ready: () => void;
  const isReady = new Promise<void>((resolve) => (ready = resolve));
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    if (output.startsWith("READY\n")) ready();
  });
  const result = once(child, "exit").then(([code]) => {
    if (code !== 0) throw new Error(`Writer ${name} exited with ${code}.`);
    return JSON.parse(output.slice("READY\n".length)) as WriterResult;
  });
  await Promise.race([isReady, result]);
  return { child, result };
}

async function sampleLockWaits(client: pg.Client, stop: Promise<unknown>): Promise<{ samples: number; withWaiter: number; waiters: number }> {
  let done = false;
  void stop.finally(() => (done = true));
  const stats = { samples: 0, withWaiter: 0, waiters: 0 };
  while (!done) {
    const { rows } = await client.query<{ waiting: string }>(
      `SELECT count(*) AS waiting FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`,
    );
    const waiting = Number(rows[0]!.waiting);
    stats.samples++;
    stats.waiters += waiting;
    if (waiting > 0) stats.withWaiter++;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return stats;
}

async function main(): Promise<void> {
  const database = await prepareDatabase("toolgate_bench_audit");
  const sampler = new pg.Client({ connectionString: database.url, application_name: "bench-audit-sampler" });
  await sampler.connect();
  console.log(`Audit writers on one embedded PostgreSQL, ${durationMs / 1000} s per run${modes.includes("gateway") ? `; gateway mode offers ${rate.toLocaleString("en")} events/s per writer` : ""}.`);
  console.log("mode      writers  gateway ev/s  console ev/s  p95 batch ms  p95 console ms  p95 event delay ms  backlog  lock-wait samples  mean waiters");
  try {
    for (const mode of modes) {
      for (const writers of writerCounts) {
        const started = await Promise.all(Array.from({ length: writers }, (_, i) => startWriter(database.url, mode, `w${i}`)));
        const t0 = performance.now();
        for (const { child } of started) child.stdin!.end("go\n");
        const results = Promise.all(started.map(({ result }) => result));
        const locks = await sampleLockWaits(sampler, results);
        const all = await results;
        const seconds = (performance.now() - t0) / 1000;
        const sum = (pick: (r: WriterResult) => number) => all.reduce((total, r) => total + pick(r), 0);
        const flat = (pick: (r: WriterResult) => number[]) => all.flatMap(pick);
        console.log(
          [
            mode.padEnd(9),
            String(writers).padStart(7),
            Math.round(sum((r) => r.events) / seconds).toLocaleString("en").padStart(13),
            Math.round(sum((r) => r.consoleEvents) / seconds).toLocaleString("en").padStart(13),
            fixed(p95(flat((r) => r.batchMs))).padStart(13),
            fixed(p95(flat((r) => r.consoleMs))).padStart(15),
            fixed(p95(flat((r) => r.eventDelayMs))).padStart(19),
            String(sum((r) => r.backlog)).padStart(8),
            `${fixed((100 * locks.withWaiter) / Math.max(1, locks.samples), 0)}% of ${locks.samples}`.padStart(18),
            fixed(locks.waiters / Math.max(1, locks.samples), 2).padStart(13),
          ].join(" "),
        );
      }
    }
  } finally {
    await sampler.end();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

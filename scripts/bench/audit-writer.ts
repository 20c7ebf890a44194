// One writer process of `npm run bench:audit`, standing for one Toolgate instance. It writes gateway events
// as lib/gateway/audit-queue.ts does (recordAuditBatchOn on one plain connection, up to 500 events per
// statement, flushed every 25 ms or at once when 500 wait) and, beside them, person actions one event per
// statement through Prisma (recordAudit, as the console does). Prints one JSON line with what it measured.
//
// BENCH_MODE=saturate: 500-event batches back to back (the ceiling). BENCH_MODE=gateway: BENCH_RATE events/s
// arrive evenly, as calls do at a gateway, and are queued and flushed like the audit queue does.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { z } from "zod";
import { recordAudit, recordAuditBatchOn, type BatchedAudit } from "@/lib/audit/record";
import { db } from "@/lib/db/prisma";

const config = z
  .object({
    DATABASE_URL: z.string().min(1),
    BENCH_MODE: z.enum(["saturate", "gateway"]),
    BENCH_DURATION_MS: z.coerce.number().int().positive(),
    BENCH_RATE: z.coerce.number().int().positive().default(1_500),
    BENCH_CONSOLE_EVERY_MS: z.coerce.number().int().positive().default(50),
    BENCH_WRITER: z.string().default("w0"),
  })
  .parse(process.env);

const batchSize = 500;
const flushIntervalMs = 25;
let counter = 0;

// A gateway tools/call event of the usual shape (what auditOf makes of an allowed call).
function gatewayEvent(): BatchedAudit {
  const n = counter++;
  return {
    actor: { id: "00000000-0000-4000-8000-000000000001", label: "agent:bench-agent" },
    action: "gateway.tools/call",
    target: { type: "server", id: "00000000-0000-4000-8000-000000000002" },
    outcome: "success",
    reason: null,
    correlationId: `${config.BENCH_WRITER}-${n}`,
    details: { decision: "allowed", latencyMs: 3, tool: "echo", version: "1.0.0", serverName: "io.bench/server", argumentsHash: "a".repeat(64) },
    occurredAt: new Date(),
    idempotencyKey: `${config.BENCH_WRITER}-${process.pid}-${n}`,
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

async function gatewayWrites(client: pg.Client, until: number, statementMs: number[]): Promise<{ events: number; backlog: number; eventDelayMs: number[] }> {
  let events = 0;
  const eventDelayMs: number[] = [];
  if (config.BENCH_MODE === "saturate") {
    while (performance.now() < until) {
      const batch = Array.from({ length: batchSize }, gatewayEvent);
      const started = performance.now();
      await recordAuditBatchOn(client, batch);
      statementMs.push(performance.now() - started);
      events += batch.length;
    }
    return { events, backlog: 0, eventDelayMs };
  }
  // Events arrive at BENCH_RATE per second; each waits in the queue until its batch is committed.
  const started = performance.now();
  let arrived = 0;
  let written = 0;
  while (performance.now() < until) {
    const now = performance.now();
    arrived = Math.floor(((now - started) / 1000) * config.BENCH_RATE);
    const waiting = arrived - written;
    // As the queue does: a flush 25 ms after the oldest waiting event arrived, or at once when 500 wait.
    const flushAt = started + (written / config.BENCH_RATE) * 1000 + flushIntervalMs;
    if (waiting === 0 || (waiting < batchSize && now < flushAt)) {
      await sleep(Math.min(waiting === 0 ? flushIntervalMs : flushAt - now, until - now));
      continue;
    }
    const count = Math.min(waiting, batchSize);
    const batch = Array.from({ length: count }, gatewayEvent);
    const t0 = performance.now();
    await recordAuditBatchOn(client, batch);
    const t1 = performance.now();
    statementMs.push(t1 - t0);
    // The oldest event of the batch arrived when `written` events had arrived.
    eventDelayMs.push(t1 - (started + (written / config.BENCH_RATE) * 1000));
    written += count;
    events += count;
  }
  return { events, backlog: arrived - written, eventDelayMs };
}

async function consoleWrites(until: number, statementMs: number[]): Promise<number> {
  let events = 0;
  while (performance.now() < until) {
    const t0 = performance.now();
    await recordAudit(db(), {
      actor: { id: "00000000-0000-4000-8000-000000000003", label: "ada@example.com" },
      action: "settings.update",
      target: { type: "setting", id: "bench" },
      outcome: "success",
      correlationId: `${config.BENCH_WRITER}-console-${events}`,
      details: { key: "bench", old: 1, new: 2 },
    });
    statementMs.push(performance.now() - t0);
    events++;
    await sleep(config.BENCH_CONSOLE_EVERY_MS - (performance.now() - t0));
  }
  return events;
}

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: config.DATABASE_URL, application_name: "bench-audit-gateway" });
  await client.connect();
  await db().$queryRaw`SELECT 1`;
  process.stdout.write("READY\n");
  // The parent starts every writer together.
  await new Promise<void>((resolve) => process.stdin.once("data", () => resolve()));
  const until = performance.now() + config.BENCH_DURATION_MS;
  const batchMs: number[] = [];
  const consoleMs: number[] = [];
  const [gateway, consoleEvents] = await Promise.all([gatewayWrites(client, until, batchMs), consoleWrites(until, consoleMs)]);
  process.stdout.write(`${JSON.stringify({ ...gateway, consoleEvents, batchMs, consoleMs })}\n`);
  await client.end();
  await db().$disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// The benchmarks' load generator and CPU accounting (npm run bench:gateway, npm run bench:cluster): hosts
// open their sessions with the SDK clients, then send tools/call as plain HTTP requests; the CPU time of the
// processes serving a path is read from /proc before and after the measured part.
import type { ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Agent, request } from "undici";

/** Which protocol the hosts speak: 2025-11-25 (sessions: BENCH_ERA unset) or 2026-07-28 (stateless). */
export type BenchEra = "2025-11-25" | "2026-07-28";

// Sessions are opened by the SDK client (initialize, the Mcp-Session-Id, the negotiated version). The
// calls are then sent as plain HTTP requests, the same bytes a host sends, so the load generator —
// which shares the two cores with the backend, the gateway and PostgreSQL — costs as little as it can.
async function openSession(url: string, headers: Record<string, string>, tool: string, era: BenchEra = "2025-11-25") {
  if (era === "2026-07-28") return openModern(url, headers, tool);
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
  const body = (n: number, id: string) => JSON.stringify({ jsonrpc: "2.0", id: n, method: "tools/call", params: { name: tool, arguments: { id } } });
  return { client, sessionHeaders, body };
}

// A 2026-07-28 host has no session: each request carries its own _meta and Mcp-Method / Mcp-Name headers. The
// v2 client makes one real call; its request (headers and body) is the template the load replays, with the
// request id and the arguments changed.
async function openModern(url: string, headers: Record<string, string>, tool: string) {
  let template: { headers: Record<string, string>; body: { params: Record<string, unknown> } & Record<string, unknown> } | undefined;
  const recording: typeof fetch = async (input, init) => {
    const text = typeof init?.body === "string" ? init.body : undefined;
    const parsed = text ? (JSON.parse(text) as { method?: string; params: Record<string, unknown> }) : undefined;
    if (parsed?.method === "tools/call") template = { headers: Object.fromEntries(new Headers(init?.headers).entries()), body: parsed };
    return fetch(input, init);
  };
  const client = new ModernClient({ name: "bench", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new ModernTransport(new URL(url), { requestInit: { headers }, fetch: recording }));
  await client.callTool({ name: tool, arguments: { id: "template" } });
  if (!template) throw new Error("The 2026-07-28 client sent no tools/call to copy.");
  const { body: shape } = template;
  const body = (n: number, id: string) => JSON.stringify({ ...shape, id: n, params: { ...shape.params, arguments: { id } } });
  return { client, sessionHeaders: template.headers, body };
}

/** CPU seconds a child process has used so far, all its threads (garbage collection included); NaN off Linux. */
export async function cpuSeconds(child: ChildProcess): Promise<number> {
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
export interface Target {
  label: string;
  /** One per process serving the path; client i keeps to urls[i % n], as a load balancer with session affinity would. */
  urls: string[];
  headers: Record<string, string>;
  /** Per client (client i takes entry i mod n), when the clients are not all alike: the gateway's agents. */
  clientHeaders?: Record<string, string>[];
  tool: string;
  servers: ChildProcess[];
  /** CPU seconds used so far by what serves the path; the servers' own by default (bench:cluster counts process groups). */
  cpu?: () => Promise<number>;
  /** CPU seconds of something beside the path, reported per call on its own (bench:cluster: HAProxy). */
  sideCpu?: () => Promise<number>;
  era?: BenchEra;
}

export async function cpuSecondsOf(servers: ChildProcess[]): Promise<number> {
  return (await Promise.all(servers.map(cpuSeconds))).reduce((sum, seconds) => sum + seconds, 0);
}

/**
 * Each of `concurrency` clients sends one call after another for `seconds`. Unpaced, a client sends as
 * soon as its last call returned (the most the path can do). Paced, the clients share `pace` calls/s on
 * a fixed schedule, and a call's latency counts from when it was due, so a stall also counts against
 * the calls it delayed. Throughput is the calls measured over the time until the last one returned, so
 * a paced path that falls behind shows the rate it sustained rather than the rate it was asked for.
 */
export async function drive({ urls, headers, clientHeaders, tool, servers, cpu, sideCpu, era }: Target, { concurrency, pace, seconds }: { concurrency: number; pace?: number; seconds: number }) {
  const serverCpu = cpu ?? (() => cpuSecondsOf(servers));
  const besideCpu = sideCpu ?? (async () => 0);
  const headersOf = (index: number) => (clientHeaders ? clientHeaders[index % clientHeaders.length]! : headers);
  const sessions = await Promise.all(Array.from({ length: concurrency }, async (_, index) => ({ url: urls[index % urls.length]!, ...(await openSession(urls[index % urls.length]!, headersOf(index), tool, era)) })));
  const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let failures = 0;
  const start = performance.now();
  const warmUntil = start + 500;
  const until = warmUntil + seconds * 1000;
  const interval = pace ? (1000 * concurrency) / pace : 0;
  const cpuAtWarm = new Promise<[number, number]>((resolve) => setTimeout(() => resolve(Promise.all([serverCpu(), besideCpu()])), warmUntil - performance.now()));
  await Promise.all(
    sessions.map(async ({ url, sessionHeaders, body: bodyOf }, index) => {
      const firstDue = start + (index * interval) / concurrency;
      for (let n = 0; ; n++) {
        const due = pace ? firstDue + n * interval : performance.now();
        if (due >= until) break;
        if (pace) await sleepUntil(due);
        const body = bodyOf(n, `r-${index}-${n}`);
        const ok = await callOnce(dispatcher, url, sessionHeaders, body).catch(() => false);
        if (due < warmUntil) continue;
        if (!ok) failures++;
        latencies.push(performance.now() - due);
      }
    }),
  );
  const measuredSeconds = (performance.now() - warmUntil) / 1000;
  const [serverAtWarm, besideAtWarm] = await cpuAtWarm;
  const cpuMsPerCall = ((await serverCpu()) - serverAtWarm) * 1000 / latencies.length;
  const sideCpuMsPerCall = ((await besideCpu()) - besideAtWarm) * 1000 / latencies.length;
  await Promise.all(sessions.map(({ client }) => client.close()));
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => percentile(latencies, p);
  return { throughput: latencies.length / measuredSeconds, p50: at(50), p95: at(95), p99: at(99), failures, cpuMsPerCall, sideCpuMsPerCall };
}

/**
 * Fails unless a call on this path returns the backend's echo of its arguments: a path that answers with
 * errors (the peer unable to reach the backend, say) would look fast and be measured as a failure count.
 */
export async function expectEcho({ label, urls, headers, tool, era }: Target) {
  const path = label.trim();
  const { client } = await openSession(urls[0]!, headers, tool, era).catch((error: unknown) => {
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


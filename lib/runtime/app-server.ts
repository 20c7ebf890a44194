import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { createProxyServer } from "http-proxy-3";
import { shutdownGatewayAudit } from "@/lib/gateway/audit-queue";
import { isGatewayPath } from "@/lib/gateway/endpoints";
import { serveGateway } from "@/lib/gateway/http";
import { type EdgeHandler, fetchHandler, serveWith } from "@/lib/gateway/node-server";
import { serveMetricsRequest } from "@/lib/observability/endpoint";
import { startBackgroundDuties, stopBackgroundJobs } from "@/lib/runtime/background";
import { wireGateway } from "@/lib/runtime/gateway-wiring";

// The app's front server (docs/decisions/012-gateway-front-server.md). It answers the gateway endpoint
// itself and hands everything else to Next.js, which runs as a child process on a loopback port. Next.js's
// request pipeline costs more per request than the gateway's own work, and once it has served a page its
// AsyncLocalStorage taxes every promise in its process, so the hot path stays out of that process.
// The metrics are answered here too, because the gateway's counters live in this process.

const directRoutes = new Map<string, EdgeHandler>([
  ["/mcp", serveGateway],
  ["/api/metrics", fetchHandler(serveMetricsRequest)],
]);

const readyTimeoutMs = 120_000;
const stopGraceMs = 10_000;

function pathOf(url: string | undefined): string {
  return (url ?? "/").split("?", 1)[0]!;
}

// The Request's URL is built from the Host header; one that makes no URL still reaches the gateway, whose
// Host check then refuses it like any other host it does not serve.
function ownOrigin(incoming: http.IncomingMessage): string {
  const origin = `http://${incoming.headers.host ?? ""}`;
  return URL.canParse(origin) ? origin : "http://localhost";
}

function startNext(port: number, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ["node_modules/next/dist/bin/next", "start", "-p", String(port), "-H", "127.0.0.1"], { stdio: "inherit", env });
}

/** Waits until the app at `origin` answers its health check; `name` says which process, in errors. */
export async function waitUntilServing(origin: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} while starting.`);
    const answered = await fetch(`${origin}/api/health`).then((response) => response.ok, () => false);
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} did not answer within ${readyTimeoutMs / 1000} s.`);
}

export interface AppServerOptions {
  port: number;
  host: string;
  /** The loopback port Next.js listens on behind this server. */
  nextPort: number;
}

/** The front server, not yet listening: the gateway and metrics answered here, the rest proxied to Next.js at `nextOrigin`. */
export function createFrontServer(nextOrigin: string): http.Server {
  // Hosts keep the Host header they sent; Next.js also learns the client's address and scheme.
  const proxy = createProxyServer({ target: nextOrigin, xfwd: true });
  // Connection and Keep-Alive describe the hop between us and Next.js, not the client's: passed on, Next.js's
  // keep-alive would overrule a client's Connection: close (RFC 9112 §9.6). Node's server sets its own.
  proxy.on("proxyRes", (proxyRes: http.IncomingMessage) => {
    delete proxyRes.headers.connection;
    delete proxyRes.headers["keep-alive"];
  });
  return http.createServer((incoming, outgoing) => {
    const path = pathOf(incoming.url);
    const direct = directRoutes.get(path) ?? (isGatewayPath(path) ? serveGateway : undefined);
    if (direct) return serveWith(direct, incoming, outgoing, ownOrigin(incoming));
    proxy.web(incoming, outgoing, {}, (error) => {
      console.error("[toolgate] Next.js did not answer:", error.message);
      if (!outgoing.headersSent) outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end("The app is not answering; try again shortly.");
    });
  });
}

/** Starts Next.js behind the front server and serves on `host:port` once it answers. */
export async function startAppServer({ port, host, nextPort }: AppServerOptions): Promise<http.Server> {
  const nextOrigin = `http://127.0.0.1:${nextPort}`;
  wireGateway();
  const next = startNext(nextPort, process.env);
  // The periodic jobs are the Next.js process's (TOOLGATE_JOBS allowing): this process's event loop is the gateway's.
  await startBackgroundDuties({ claimJobs: false });
  await waitUntilServing(nextOrigin, next, "Next.js");
  const server = createFrontServer(nextOrigin);
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, host, () => resolve()));

  let stopping = false;
  const stop = () => {
    stopping = true;
    server.close();
    // No new job runs from here; one under way finishes within the grace, or its lease expires.
    void stopBackgroundJobs();
    next.kill("SIGTERM");
    setTimeout(() => process.exit(0), stopGraceMs).unref();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  next.once("exit", (code) => {
    if (!stopping) console.error(`[toolgate] Next.js exited with ${code}; stopping.`);
    // Gateway calls still at their backends end, and every audit event is written, before the process does.
    void shutdownGatewayAudit().finally(() => process.exit(stopping ? 0 : (code ?? 1)));
  });
  return server;
}

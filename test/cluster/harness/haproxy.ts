// HAProxy in front of the instances, from a generated configuration shaped like deploy/haproxy/haproxy.cfg:
// round-robin, no stickiness, a server takes traffic only while /api/ready answers 200. It logs one line per
// request naming the server that answered and the X-Cluster-Client header, so a test can tell which
// instances served one client.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { type GroupProcess, startGroup, stopGroup } from "./processes";

export const haproxyPath = process.env.HAPROXY_PATH ?? "/usr/sbin/haproxy";

/** The header a test sets on a client's requests to find them in HAProxy's log. */
export const clientHeader = "X-Cluster-Client";

export interface ServedRequest {
  /** The instance (HAProxy's server name: the instance id) that answered, "<NOSRV>" when none did. */
  server: string;
  status: number;
  /** The HTTP method: POST carries JSON-RPC messages, GET a 2025-era session's notification stream. */
  method: string;
  client: string;
}

export interface HaproxyOptions {
  port: number;
  servers: { name: string; port: number }[];
  workDir: string;
}

function config({ port, servers }: HaproxyOptions): string {
  return `global
  log stdout format raw local0
  maxconn 4096

defaults
  mode http
  log global
  log-format "served %s %ST %HM %[capture.req.hdr(0)]"
  timeout connect 2s
  timeout http-request 10s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  # A request whose connection to an instance could not even be opened (it died and the health check has
  # not noticed yet) is sent to another one: it never reached the dead instance, so retrying is safe.
  retries 2
  option redispatch 1

frontend toolgate
  bind 127.0.0.1:${port}
  http-request capture req.hdr(${clientHeader.toLowerCase()}) len 64
  default_backend toolgate

backend toolgate
  balance roundrobin
  option httpchk GET /api/ready
  http-check expect status 200
  # Ready checks go through Next.js, slow under load on a small machine: a slow answer is not a dead instance
  # (a dead one refuses the connection at once, and its requests are redispatched meanwhile).
  timeout check 3s
  default-server inter 1s fall 3 rise 2
${servers.map((server) => `  server ${server.name} 127.0.0.1:${server.port} check`).join("\n")}
`;
}

export class Haproxy {
  private process: GroupProcess | undefined;
  readonly served: ServedRequest[] = [];

  constructor(readonly options: HaproxyOptions) {}

  /** HAProxy's process group, for its CPU time. */
  get pgid(): number | undefined {
    return this.process?.pgid;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    if (!existsSync(haproxyPath)) throw new Error(`HAProxy not found at ${haproxyPath}: install it (apt-get install -y haproxy), or set HAPROXY_PATH.`);
    const file = path.join(this.options.workDir, "haproxy.cfg");
    await writeFile(file, config(this.options));
    // -db: stay in the foreground, logs on stdout.
    this.process = startGroup(haproxyPath, ["-db", "-f", file], {
      cwd: this.options.workDir,
      env: process.env,
      logFile: path.join(this.options.workDir, "haproxy.log"),
      onLine: (line) => {
        const match = /served (\S+) (-?\d+) (\S+) (\S*)/.exec(line);
        if (match) this.served.push({ server: match[1]!, status: Number(match[2]), method: match[3]!, client: match[4]! });
      },
    });
    // HAProxy takes a server after `rise` good health checks: every instance must have answered through it.
    for (const server of this.options.servers) {
      await this.waitUntilServing(server.name).catch((error: Error) => {
        throw new Error(`${error.message}\n${this.process?.tail() ?? ""}`);
      });
    }
  }

  /** The instances that answered requests carrying this client's header (only those of `method`, if given), in the order they ended. */
  serversOf(client: string, method?: string): string[] {
    return this.served.filter((request) => request.client === client && (!method || request.method === method)).map((request) => request.server);
  }

  /** Waits until HAProxy sends requests to the server again (its health checks saw it ready). */
  async waitUntilServing(server: string, timeoutMs = 15_000): Promise<void> {
    const probe = `probe-${server}-${Date.now()}`;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      await fetch(`${this.origin}/api/ready`, { headers: { [clientHeader]: probe } }).catch(() => undefined);
      if (this.serversOf(probe).includes(server)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`HAProxy sent no request to ${server} within ${timeoutMs / 1000} s.`);
  }

  async stop(): Promise<void> {
    if (this.process) await stopGroup(this.process, 3_000);
  }
}

// A real redis-server for tests: on a free loopback port, in a temporary folder, persistence off unless
// asked for (then an append-only file, so a stop and start keeps what it counted).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { freePort } from "@/lib/net/free-port";

export const redisServerPath = process.env.REDIS_SERVER_PATH ?? "/usr/bin/redis-server";

export interface TestRedisServer {
  port: number;
  url: string;
  /** Stops the server (SIGTERM: with persistence on, it writes its file first). */
  stop(): Promise<void>;
  /** Starts it again on the same port and folder. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  close(): Promise<void>;
}

export async function startRedisServer(options: { persistent?: boolean } = {}): Promise<TestRedisServer> {
  if (!existsSync(redisServerPath)) {
    throw new Error(`redis-server not found at ${redisServerPath}: install it (apt-get install -y redis-server), or set REDIS_SERVER_PATH.`);
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), "toolgate-test-redis-"));
  const port = await freePort();
  const persistence = options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"];
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", ...persistence, "--daemonize", "no", "--loglevel", "notice"];
  let child: ChildProcess | undefined;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const started = spawn(redisServerPath, args, { stdio: ["ignore", "pipe", "pipe"] });
      child = started;
      let output = "";
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes("Ready to accept connections")) {
          started.stdout.off("data", onData);
          started.stdout.resume();
          resolve();
        }
      };
      started.stdout.on("data", onData);
      started.stderr.on("data", (data: Buffer) => (output += data.toString()));
      started.once("error", reject);
      started.once("exit", (code) => reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`)));
    });
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGTERM");
    });
  };

  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

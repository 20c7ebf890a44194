// The reference MCP server (@modelcontextprotocol/server-everything) over Streamable HTTP, as a child process.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { freePort } from "@/lib/net/free-port";

const STARTUP_TIMEOUT_MS = 30_000;

export async function startServerEverything(): Promise<{ url: string; close(): Promise<void> }> {
  const port = await freePort();
  // node on the bin file directly: npx would add seconds of package resolution to every start.
  const child = spawn(process.execPath, [binPath(), "streamableHttp"], {
    env: { ...process.env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  try {
    await waitUntilListening(child);
  } catch (error) {
    await stop(child);
    throw error;
  }
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => stop(child) };
}

function binPath(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve("@modelcontextprotocol/server-everything/package.json");
  const manifest = require(manifestPath) as { bin: Record<string, string> };
  return path.join(path.dirname(manifestPath), manifest.bin["mcp-server-everything"]!);
}

function waitUntilListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(new Error(`server-everything did not start within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`)), STARTUP_TIMEOUT_MS);
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("listening on port")) done();
    };
    const onExit = (code: number | null) => fail(new Error(`server-everything exited with code ${code}:\n${output}`));
    const cleanUp = () => {
      clearTimeout(timer);
      child.stdout?.off("data", onOutput);
      child.stderr?.off("data", onOutput);
      child.off("exit", onExit);
      // Keep draining the pipes so a chatty server never blocks on a full one.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    const done = () => {
      cleanUp();
      resolve();
    };
    const fail = (error: Error) => {
      cleanUp();
      reject(error);
    };
    child.stdout?.on("data", onOutput);
    child.stderr?.on("data", onOutput);
    child.once("exit", onExit);
  });
}

/** Ends the server's whole process group (it was started detached, as its leader) and waits for it to exit. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const { pid } = child;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  killGroup(pid, "SIGTERM");
  const forced = setTimeout(() => killGroup(pid, "SIGKILL"), 5_000);
  await exited;
  clearTimeout(forced);
}

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    // Already gone.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

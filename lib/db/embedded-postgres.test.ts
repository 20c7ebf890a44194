import { readFile, mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as readyRoute } from "@/app/api/ready/route";
import { serveGateway } from "@/lib/gateway/http";
import { serveWith } from "@/lib/gateway/node-server";
import { freePort } from "@/lib/net/free-port";
import { existingSingleton, forgetSingleton } from "@/lib/runtime/singleton";
import { agentWithKey } from "@/test/registry";
import { type RunningDatabase, startEmbeddedPostgres } from "./embedded-postgres";
import { migrate } from "./migrate";

// A real embedded PostgreSQL, killed under a running gateway: the gateway answers in JSON-RPC that the
// database is unavailable and when to retry, readiness says not ready, and the supervisor brings the
// server back, says so, and readiness returns.

let dataDir: string;
let database: RunningDatabase;
let gateway: http.Server;
let origin: string;
const notices: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), "toolgate-supervised-"));
  // Long enough a pause before the restart to see the outage from outside.
  database = await startEmbeddedPostgres({ dataDir, port: await freePort(), database: "toolgate", notice: (line) => notices.push(line), restartDelayMs: 3_000 });
  await migrate(database.url);
  // This file's app talks to the embedded server from here on, before anything opened a connection.
  process.env.DATABASE_URL = database.url;
  gateway = http.createServer((incoming, outgoing) => serveWith(serveGateway, incoming, outgoing, origin));
  await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  process.env.NEXTAUTH_URL = origin;
}, 120_000);

afterAll(async () => {
  gateway.closeAllConnections();
  await new Promise((resolve) => gateway.close(resolve));
  await existingSingleton<{ $disconnect(): Promise<void> }>("prisma")?.$disconnect();
  forgetSingleton("prisma");
  await database.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const initialize = (key: string) =>
  fetch(`${origin}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } } }),
  });

async function readiness() {
  const response = await readyRoute();
  return { status: response.status, body: (await response.json()) as { status: string } };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the embedded PostgreSQL dies under the gateway", () => {
  it("the gateway answers 503 with Retry-After in JSON-RPC, readiness fails, and the supervisor restarts it", async () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const before = await agentWithKey("prod");
    // A key never used yet, so its check needs the database.
    const unseen = await agentWithKey("prod");
    expect((await initialize(before.key)).status).toBe(200);
    expect(await readiness()).toMatchObject({ status: 200, body: { status: "ready" } });

    const postmasterPid = Number((await readFile(path.join(dataDir, "postgres", "postmaster.pid"), "utf8")).split("\n")[0]);
    process.kill(postmasterPid, "SIGKILL");
    await until("the stop to be noticed", async () => (notices.some((line) => line.includes("stopped unexpectedly")) ? true : undefined));

    const outage = await initialize(unseen.key);
    expect(outage.status).toBe(503);
    expect(Number(outage.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await outage.json()).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message: expect.stringMatching(/database is unavailable; retry/) } });
    expect(await readiness()).toMatchObject({ status: 503, body: { status: "not ready" } });

    await until("the restart notice", async () => (notices.some((line) => line.includes("restarted")) ? true : undefined));
    await until("readiness", async () => ((await readiness()).status === 200 ? true : undefined));
    expect(notices.join("\n")).toMatch(/stopped unexpectedly \(SIGKILL\); restarting it\.[\s\S]*Embedded PostgreSQL restarted\./);
    expect((await until("the gateway to answer", async () => {
      const answer = await initialize(unseen.key);
      return answer.status === 503 ? undefined : answer;
    })).status).toBe(200);
  }, 120_000);
});

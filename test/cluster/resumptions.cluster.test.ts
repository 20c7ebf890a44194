// Decision 038, amended 2026-12-01: a 2026-07-28 host whose call's backend asks for input (elicitation) gets
// input_required from the instance running the backend call; its retry, sent through HAProxy (round-robin, no
// stickiness), usually reaches another instance, which forwards it through PostgreSQL to the holder. Every retry
// succeeds whichever instance it reaches; a retry whose holder died is refused as gone within seconds.
import { randomBytes } from "node:crypto";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { ElicitResultSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { namespacedToolName } from "@/lib/gateway/namespacing";
import { claimMs } from "@/lib/gateway/call-resumptions";
import { type GovernedCluster, startGovernedCluster } from "./governed-cluster";
import type { Cluster } from "./harness/cluster";
import { clientHeader } from "./harness/haproxy";

const serverName = "io.cluster/asking";
const askTwice = namespacedToolName(serverName, "ask_twice")!;

let setup: GovernedCluster | undefined;
let cluster: Cluster;
let key: string;
let agentId: string;

beforeAll(async () => {
  setup = await startGovernedCluster(serverName, {
    tools: [{ name: "ask_twice", description: "Asks the user twice during the call.", inputSchema: { type: "object", properties: { n: { type: "number" } } }, annotations: { readOnlyHint: true } }],
    eventStream: true,
    respond: async (_name, args, call) => {
      const ask = (message: string) => call.sendRequest({ method: "elicitation/create", params: { message, requestedSchema: { type: "object", properties: { name: { type: "string" } } } } }, ElicitResultSchema);
      const first = await ask(`Name ${String(args.n)}?`);
      const second = await ask(`Again ${String(args.n)}?`);
      return { content: [{ type: "text", text: `${JSON.stringify(first.content)} ${JSON.stringify(second.content)}` }] };
    },
  });
  ({ cluster, key, agentId } = setup);
});

afterAll(async () => {
  await setup?.stop();
});

describe("a 2026-07-28 host whose call asks for input, through HAProxy (round-robin, no stickiness)", () => {
  it("gets every answer to the backend and the call's result, whichever instances its retries reach", async () => {
    const tag = `asking-${randomBytes(4).toString("hex")}`;
    const client = new ModernClient({ name: "asking-host", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } }, capabilities: { elicitation: {} } });
    client.setRequestHandler("elicitation/create", (request) => ({ action: "accept" as const, content: { name: `answer to ${String((request.params as { message?: unknown }).message)}` } }));
    await client.connect(new ModernTransport(new URL(cluster.url), { requestInit: { headers: { Authorization: `Bearer ${key}`, [clientHeader]: tag } } }));
    const calls = 10;
    try {
      for (let n = 0; n < calls; n++) {
        const result = await client.callTool({ name: askTwice, arguments: { n } }, { timeout: 20_000 });
        const text = (result.content as { text: string }[])[0]?.text;
        expect(text).toBe(`{"name":"answer to Name ${n}?"} {"name":"answer to Again ${n}?"}`);
      }
    } finally {
      await client.close();
    }
    // Each call is three POSTs (the call, two retries); round-robin sends most retries elsewhere than the call.
    const served = cluster.haproxy.serversOf(tag, "POST");
    const callPosts = served.slice(-calls * 3);
    const crossings = callPosts.filter((server, index) => index % 3 !== 0 && server !== callPosts[index - index % 3]).length;
    expect(new Set(callPosts)).toEqual(new Set(cluster.instances.map((instance) => instance.id)));
    expect(crossings, callPosts.join(" ")).toBeGreaterThan(calls);
    // Every forwarded retry's row was deleted once its answer was read; each relay and call audited once, where the backend call ran.
    expect(await db().callResumption.count()).toBe(0);
    await expect
      .poll(async () => db().auditEvent.count({ where: { actorId: agentId, action: "gateway.elicitation/create", outcome: "success" } }), { timeout: 10_000 })
      .toBe(calls * 2);
    await expect.poll(async () => db().auditEvent.count({ where: { actorId: agentId, action: "gateway.tools/call", outcome: "success" } }), { timeout: 10_000 }).toBe(calls);
  }, 120_000);

  it("a retry whose holder was killed is refused as gone within seconds, on whichever instance it reaches; the call can be started again", async () => {
    const holder = cluster.instances[0]!;
    const post = (url: string, extra: Record<string, unknown>) =>
      fetch(url, {
        method: "POST",
        headers: { Authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": askTwice },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: askTwice, arguments: { n: 99 }, _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": { elicitation: {} } }, ...extra } }),
      }).then(async (response) => {
        const text = await response.text();
        return JSON.parse(text.startsWith("{") ? text : (text.split("\n").find((line) => line.startsWith("data:")) ?? "").slice(5)) as { result?: { requestState?: string }; error?: { code: number; message: string } };
      });
    // The call goes to one instance directly; it dies holding it.
    const first = await post(holder.url, {});
    expect(first.result?.requestState).toBeDefined();
    await holder.kill();
    try {
      const started = performance.now();
      const retry = await post(cluster.url, { requestState: first.result!.requestState, inputResponses: { backend_request: { action: "accept", content: { name: "late" } } } });
      expect(retry.error?.code).toBe(-32602);
      expect(retry.error?.message).toMatch(/holding the call waiting for this input is gone; start the call again/);
      expect(performance.now() - started).toBeLessThan(claimMs + 3_000);
      expect(await db().callResumption.count()).toBe(0);
      // Started again, the call waits for input on a live instance.
      expect((await post(cluster.url, {})).result?.requestState).toMatch(/^[\w-]{8}\.[\w-]{43}$/);
    } finally {
      await holder.start();
      await cluster.haproxy.waitUntilServing(holder.id);
    }
  }, 60_000);
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { connectLegacy, connectModern, type GatewayClient, LegacyClient, ModernClient, negotiatedVersion } from "@/test/gateway-clients";
import { closeGatewayTest, startGatewayServer } from "@/test/gateway-server";
import { governFixtureServer } from "@/test/governed-server";
import { defaultFixtureTools, type FixtureServer, type FixtureTool, startFixtureServer } from "@/test/mcp-fixture-server";
import { flushGatewayAudit } from "./audit-queue";

// The protocol around a call, relayed through the real gateway to a real backend (decision 036):
// cancellation both ways (step 1 of #19 item 5).

const slowTool: FixtureTool = {
  name: "slow_export",
  description: "Exports records slowly; stops when cancelled.",
  inputSchema: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
  annotations: { readOnlyHint: true },
};

let fixture: FixtureServer;
let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let key: string;
let agentId: string;
const exposed = (tool: string) => `com.example_srelays__${tool}`;

beforeAll(async () => {
  fixture = await startFixtureServer({
    tools: [...defaultFixtureTools, slowTool],
    // slow_export answers after 20 s, or never once its caller cancels it.
    respond: (name, _args, signal) =>
      name === slowTool.name
        ? new Promise((resolve) => {
            const timer = setTimeout(() => resolve({ content: [{ type: "text", text: "done" }] }), 20_000);
            signal.addEventListener("abort", () => clearTimeout(timer), { once: true });
          })
        : undefined,
  });
  ({ agentId, key } = await governFixtureServer(fixture.url, { name: "com.example/relays" }));
  gateway = await startGatewayServer();
});

afterAll(() => closeGatewayTest(gateway, fixture));

const auth = () => ({ Authorization: `Bearer ${key}` });

const eras = [
  ["2025-11-25", () => connectLegacy(gateway.url, auth())],
  ["2026-07-28", () => connectModern(gateway.url, auth())],
] as const;

/** A tools/call with the SDK client's options; a progress handler makes it take the gateway's SDK path, none its lean path. */
function call(client: GatewayClient, name: string, args: Record<string, unknown>, options: { signal?: AbortSignal; onprogress?: (progress: { progress: number }) => void }) {
  const params = { name, arguments: args };
  const requestOptions = { ...options, timeout: 30_000 };
  return client instanceof ModernClient ? client.callTool(params, requestOptions) : (client as LegacyClient).callTool(params, undefined, requestOptions);
}

/** The agent's calls audited as cancelled by their client. */
async function cancelledCalls(): Promise<number> {
  await flushGatewayAudit();
  return db().auditEvent.count({ where: { action: "gateway.tools/call", actorId: agentId, reason: { contains: "was cancelled" } } });
}

const cancelledWith = (id: string) => fixture.cancelled.filter((entry) => entry.arguments.id === id);

describe.each(eras)("cancellation over MCP %s", (era, connect) => {
  it.each([
    ["the lean path", false],
    ["the SDK path", true],
  ])("a call the client cancels is cancelled on the backend too (%s), and audited as cancelled", async (_path, withProgress) => {
    const client = await connect();
    expect(negotiatedVersion(client)).toBe(era);
    const id = `cancel-${era}-${withProgress ? "sdk" : "lean"}`;
    const cancel = new AbortController();
    const started = Date.now();
    const cancelledBefore = await cancelledCalls();
    const pending = call(client, exposed(slowTool.name), { id }, { signal: cancel.signal, onprogress: withProgress ? () => {} : undefined }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    cancel.abort("the user stopped it");
    expect(await pending).toBeInstanceOf(Error);
    await expect.poll(() => cancelledWith(id).length, { timeout: 10_000 }).toBe(1);
    expect(Date.now() - started).toBeLessThan(15_000);
    await expect.poll(cancelledCalls, { timeout: 10_000 }).toBe(cancelledBefore + 1);
    // The session (2025) or the gateway (2026) serves the next call as usual.
    const next = await call(client, exposed("read_record"), { id: "after-cancel" }, {});
    expect(next.isError ?? false).toBe(false);
    await client.close();
  }, 30_000);
});

describe("a notifications/cancelled that names no call of its session", () => {
  it("cancels nothing: a malformed cancel, another session's request id, an id never sent", async () => {
    const first = await connectLegacy(gateway.url, auth());
    const second = await connectLegacy(gateway.url, auth());
    const id = "cancel-foreign";
    const pending = call(first, exposed(slowTool.name), { id }, { signal: AbortSignal.timeout(3_000) }).catch((error: unknown) => error);
    await expect.poll(() => fixture.received.some((request) => (request.toolCall?.arguments as { id?: string } | undefined)?.id === id), { timeout: 10_000 }).toBe(true);
    // The first client's requests are numbered from 0: its call is one of the first few ids.
    for (const requestId of [0, 1, 2, 3, "1", 1e300]) await second.notification({ method: "notifications/cancelled", params: { requestId, reason: "not yours" } });
    await second.notification({ method: "notifications/cancelled", params: { requestId: { nested: true } as never, reason: "\u0000".repeat(5000) } }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(cancelledWith(id)).toHaveLength(0);
    // The first client's own timeout cancels it (through its session).
    await pending;
    await expect.poll(() => cancelledWith(id).length, { timeout: 10_000 }).toBe(1);
    await first.close();
    await second.close();
  }, 30_000);
});

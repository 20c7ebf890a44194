import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/prisma";
import { metricsText } from "@/lib/observability/metrics";
import { startGatewayServer } from "@/test/gateway-server";
import { agentWithKey } from "@/test/registry";
import { flushGatewayAudit, type GatewayAuditEvent } from "./audit-queue";
import { EdgeRefusalLog, flushEdgeRefusals } from "./edge-refusals";

let gateway: Awaited<ReturnType<typeof startGatewayServer>>;
let origin: string;

beforeAll(async () => {
  gateway = await startGatewayServer();
  origin = gateway.origin;
});

afterAll(() => gateway.close());

async function refusalCount(status: number, reason: string): Promise<number> {
  const { body } = await metricsText();
  const line = body.split("\n").find((l) => l.startsWith(`toolgate_gateway_edge_refusals_total{status="${status}",reason="${reason}"}`));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

const post = (headers: Record<string, string>, body = "{}") => fetch(`${origin}/mcp`, { method: "POST", headers, body });

/** Sends one request with a Host header as raw bytes (latin1), which no HTTP client would send. */
function rawRequestWithHost(hostBytes: Buffer): Promise<void> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), "127.0.0.1", () => {
      socket.write(Buffer.concat([Buffer.from("POST /mcp HTTP/1.1\r\nHost: "), hostBytes, Buffer.from("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")]));
    });
    socket.on("data", () => undefined).on("close", () => resolve()).on("error", reject);
  });
}

describe("refusals at the gateway's HTTP edge", () => {
  it("a flood is audited as a bounded number of events whose counts add up, and the metric moves", async () => {
    const { key, agentId } = await agentWithKey("prod");
    flushEdgeRefusals();
    const before = {
      missing: await refusalCount(401, "missing_key"),
      invalid: await refusalCount(401, "invalid_key"),
      media: await refusalCount(415, "unsupported_media_type"),
    };
    const perKind = 60;
    const answers = await Promise.all(
      Array.from({ length: perKind }, () => [
        post({ "content-type": "application/json" }),
        post({ "content-type": "application/json", authorization: "Bearer tgk_nope_nope" }),
        post({ "content-type": "text/plain", authorization: `Bearer ${key}` }),
      ]).flat(),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([...Array(perKind).fill(401), ...Array(perKind).fill(401), ...Array(perKind).fill(415)]);
    for (const answer of answers) expect(await answer.json()).toMatchObject({ jsonrpc: "2.0", error: { code: expect.any(Number) } });

    expect(await refusalCount(401, "missing_key")).toBe(before.missing + perKind);
    expect(await refusalCount(401, "invalid_key")).toBe(before.invalid + perKind);
    expect(await refusalCount(415, "unsupported_media_type")).toBe(before.media + perKind);

    flushEdgeRefusals();
    await flushGatewayAudit();
    const rows = await db().auditEvent.findMany({ where: { action: "gateway.edge" } });
    expect(rows.length).toBe(3);
    const details = rows.map((row) => row.details as { status: number; reason: string; count: number; clientAddress: string });
    expect(details.reduce((sum, d) => sum + d.count, 0)).toBe(3 * perKind);
    expect(details.every((d) => d.count === perKind && d.clientAddress === "127.0.0.1")).toBe(true);
    // A refusal after the key was checked names the agent.
    const media = rows.find((row) => (row.details as { reason: string }).reason === "unsupported_media_type")!;
    expect(media).toMatchObject({ actorId: agentId, outcome: "denied" });
    expect(media.reason).toContain("60 request(s) from 127.0.0.1");
  });

  it("keeps header text short and free of control characters", async () => {
    // Node reads header bytes as latin1, so 0x9b arrives as U+009B, a C1 control (CSI).
    await rawRequestWithHost(Buffer.concat([Buffer.from("evil"), Buffer.from([0x9b]), Buffer.from("x".repeat(1000))]));
    flushEdgeRefusals();
    await flushGatewayAudit();
    const row = await db().auditEvent.findFirstOrThrow({ where: { action: "gateway.edge", reason: { contains: "Host header" } } });
    const { sample } = row.details as { sample: string };
    expect(sample.startsWith("Host: evil\uFFFDxxx")).toBe(true);
    expect(sample.length).toBeLessThanOrEqual(200);
    expect(row.reason).not.toContain("\u009b");
    expect(row.reason!.length).toBeLessThan(400);
  });
});

describe("the edge refusal log", () => {
  it("sums refusals from more addresses than it keeps into one event per status and reason", () => {
    const events: GatewayAuditEvent[] = [];
    const log = new EdgeRefusalLog({ maxKeys: 10, enqueue: (event) => events.push(event) });
    for (let i = 0; i < 5_000; i++) log.record({ status: 401, reason: "missing_key", clientAddress: `10.0.${i >> 8}.${i & 255}` });
    expect(log.flush()).toBe(11);
    expect(events.reduce((sum, event) => sum + Number(event.details!.count), 0)).toBe(5_000);
    expect(events.find((event) => event.details!.clientAddress === "(many addresses)")?.details!.count).toBe(4_990);
  });
});

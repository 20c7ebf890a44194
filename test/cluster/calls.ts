// What the cluster tests do as MCP hosts: connect a client of either era through HAProxy or to one
// instance (tagged with X-Cluster-Client so HAProxy's log says which instances served it), call a tool,
// and sort the answer into a result, a refusal or a failure with its message.
import { randomBytes } from "node:crypto";
import { connectLegacy, connectModern, type GatewayClient, ModernClient } from "@/test/gateway-clients";
import { clientHeader } from "./harness/haproxy";

export type Era = "2025-11-25" | "2026-07-28";
export const eras: Era[] = ["2025-11-25", "2026-07-28"];

export interface TaggedClient {
  client: GatewayClient;
  /** The X-Cluster-Client value on every request of this client. */
  tag: string;
}

export async function connectTagged(era: Era, url: string, key: string, label: string): Promise<TaggedClient> {
  const tag = `${label}-${randomBytes(4).toString("hex")}`;
  const headers = { Authorization: `Bearer ${key}`, [clientHeader]: tag };
  const client = era === "2025-11-25" ? await connectLegacy(url, headers) : await connectModern(url, headers);
  return { client, tag };
}

export type CallOutcome = { kind: "result"; text: string; structured: unknown; ms: number } | { kind: "error"; message: string; ms: number };

/** One tools/call; a JSON-RPC error (thrown by the SDK) or a tool error result is an "error" with its message. */
export async function callTool(client: GatewayClient, name: string, args: Record<string, unknown>, timeoutMs = 10_000): Promise<CallOutcome> {
  const started = performance.now();
  const options = { timeout: timeoutMs };
  try {
    const result = client instanceof ModernClient ? await client.callTool({ name, arguments: args }, options) : await client.callTool({ name, arguments: args }, undefined, options);
    const text = JSON.stringify(result.content ?? []);
    const ms = performance.now() - started;
    return result.isError ? { kind: "error", message: text, ms } : { kind: "result", text, structured: result.structuredContent, ms };
  } catch (error) {
    return { kind: "error", message: error instanceof Error ? error.message : String(error), ms: performance.now() - started };
  }
}

/** Whether the outcome is the fixture's echo of `id` (read_record answers its arguments). */
export function echoed(outcome: CallOutcome, id: string): boolean {
  return outcome.kind === "result" && (outcome.structured as { id?: unknown } | undefined)?.id === id;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The two MCP clients a host may bring to the gateway: the v1 SDK's (2025-11-25, sessions) and the v2
// SDK's pinned to 2026-07-28. The v2 client negotiates the legacy handshake unless told otherwise
// (versionNegotiation defaults to 'legacy'), so it is pinned here: a test of the modern era must run it.
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client as LegacyClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport as LegacyTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

export { LegacyClient, ModernClient };
export type GatewayClient = LegacyClient | ModernClient;

export async function connectLegacy(url: string, headers: Record<string, string>): Promise<LegacyClient> {
  const client = new LegacyClient({ name: "legacy-host", version: "1.0.0" });
  await client.connect(new LegacyTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

export async function connectModern(url: string, headers: Record<string, string>): Promise<ModernClient> {
  const client = new ModernClient({ name: "modern-host", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new ModernTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

/** The protocol version the client settled on: the v1 SDK keeps it on its transport. */
export function negotiatedVersion(client: GatewayClient): string | undefined {
  if (client instanceof ModernClient) return client.getNegotiatedProtocolVersion();
  return (client.transport as LegacyTransport | undefined)?.protocolVersion;
}

/** Both eras' clients by protocol version, each connecting with the headers of the moment (a key made in beforeAll) and any others. */
export function clientEras(headers: () => Record<string, string>) {
  return [
    ["2025-11-25", (url: string, more: Record<string, string> = {}) => connectLegacy(url, { ...headers(), ...more })],
    ["2026-07-28", (url: string, more: Record<string, string> = {}) => connectModern(url, { ...headers(), ...more })],
  ] as const;
}

/** Runs with a connected client, closing it whatever happens. */
export async function using<T>(client: Promise<GatewayClient>, run: (client: GatewayClient) => Promise<T>): Promise<T> {
  const connected = await client;
  try {
    return await run(connected);
  } finally {
    await connected.close();
  }
}

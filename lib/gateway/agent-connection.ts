import { z } from "zod";
import { authorizeOwned } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { namespacedToolName } from "./namespacing";
import { resolveAgentView } from "./resolution";

// What the people who look after an agent need to connect it: where the gateway is, how its tools are
// named there, ready-to-paste host settings, and the tools the agent would be listed right now.

export interface ConnectionGuide {
  gatewayUrl: string;
  registryUrl: string;
  /** An example of the gateway's tool naming. */
  namingExample: { server: string; tool: string; exposed: string };
  /** A host's `mcp.json` entry; the key comes from the environment, never from this page. */
  mcpJson: string;
  /** A TypeScript client with the official SDK. */
  sdkClient: string;
}

export function connectionGuide(base: URL, agentName: string): ConnectionGuide {
  const gatewayUrl = new URL("/mcp", base).toString();
  const mcpJson = JSON.stringify({ mcpServers: { toolgate: { type: "http", url: gatewayUrl, headers: { Authorization: "Bearer ${TOOLGATE_API_KEY}" } } } }, null, 2);
  const sdkClient = [
    'import { Client } from "@modelcontextprotocol/sdk/client/index.js";',
    'import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";',
    "",
    `const transport = new StreamableHTTPClientTransport(new URL(${JSON.stringify(gatewayUrl)}), {`,
    "  requestInit: { headers: { Authorization: `Bearer ${process.env.TOOLGATE_API_KEY}` } },",
    "});",
    `const client = new Client({ name: ${JSON.stringify(agentName)}, version: "1.0.0" });`,
    "await client.connect(transport);",
    "console.log((await client.listTools()).tools.map((tool) => tool.name));",
  ].join("\n");
  const example = { server: "com.example/crm", tool: "get_contact" };
  return {
    gatewayUrl,
    registryUrl: new URL("/v0.1/servers", base).toString(),
    namingExample: { ...example, exposed: namespacedToolName(example.server, example.tool)! },
    mcpJson,
    sdkClient,
  };
}

const previewInput = z.object({ agentId: z.uuid({ error: "Unknown agent." }) });

/** The names the agent's tools/list would show right now, for someone who may see the agent. */
export async function previewAgentTools(actor: Actor, raw: unknown): Promise<{ agentName: string; tools: string[] }> {
  const { agentId } = parseInput(previewInput, raw);
  const agent = await db().agent.findUnique({ where: { id: agentId }, select: { id: true, name: true, teamId: true } });
  if (!agent) throw new NotFoundError("Unknown agent.");
  await authorizeOwned(actor, "agent.view", agent, { type: "agent", id: agent.id });
  const { tools } = await resolveAgentView(agent.id);
  return { agentName: agent.name, tools: tools.map((tool) => tool.exposedName) };
}

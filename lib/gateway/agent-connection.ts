import { z } from "zod";
import { authorizeOwned } from "@/lib/auth/access";
import type { Actor } from "@/lib/auth/roles";
import { db } from "@/lib/db/prisma";
import { NotFoundError } from "@/lib/errors";
import { parseInput } from "@/lib/validation";
import { bundleEndpointUrl, serverEndpointUrl } from "./endpoints";
import { namespacedToolName } from "./namespacing";
import { resolveAgentView } from "./resolution";

// What the people who look after an agent need to connect it: where the gateway is, how its tools are
// named there, ready-to-paste host settings, and the tools the agent would be listed right now.

export interface ConnectionGuide {
  gatewayUrl: string;
  registryUrl: string;
  /** An example of the gateway's tool naming. */
  namingExample: { server: string; tool: string; exposed: string };
  /** The example entry's own endpoint, and a bundle's (./endpoints.ts): names without prefix there. */
  entryUrlExample: string;
  bundleUrlExample: string;
  /** A host's `mcp.json` entry; the key comes from the environment, never from this page. */
  mcpJson: string;
  /** A TypeScript client with the official SDK. */
  sdkClient: string;
  /** With an access token from the organisation's IdP instead of a key, when the agent is bound to one of its clients. */
  oauth?: OAuthGuide;
}

/** A token binding of the agent (lib/identity/bindings.ts) with where its issuer's metadata is. */
export interface BoundIssuer {
  issuer: string;
  metadataUrl: string;
  enabled: boolean;
  kind: "client_id" | "sub";
  subject: string;
}

export interface OAuthGuide {
  issuer: string;
  kind: "client_id" | "sub";
  subject: string;
  /** The scopes to ask for: listing and calling; high-risk tools need tools:call:high-risk as well. */
  scope: string;
  /** The client-credentials grant with curl: the token endpoint from the issuer's metadata, resource = the gateway. */
  tokenRequest: string;
  /** The official SDK's ClientCredentialsProvider, which finds the issuer through the gateway's resource metadata. */
  sdkClient: string;
}

const oauthScope = "tools:read tools:call";

function oauthGuide(gatewayUrl: string, agentName: string, binding: BoundIssuer): OAuthGuide {
  const tokenRequest = [
    `TOKEN_ENDPOINT=$(curl -s "${binding.metadataUrl}" | jq -r .token_endpoint)`,
    'curl -s -u "$CLIENT_ID:$CLIENT_SECRET" "$TOKEN_ENDPOINT" \\',
    "  -d grant_type=client_credentials \\",
    `  -d scope="${oauthScope}" \\`,
    `  --data-urlencode "resource=${gatewayUrl}"`,
    "# Some providers (Auth0) name the resource `audience`: send audience=<the same URL> instead.",
    "# Then: Authorization: Bearer <access_token> on every request to the gateway.",
  ].join("\n");
  const sdkClient = [
    'import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";',
    'import { Client } from "@modelcontextprotocol/sdk/client/index.js";',
    'import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";',
    "",
    "// The SDK reads the gateway's resource metadata, finds the issuer and asks it for a token with",
    "// resource = the gateway. The v1 SDK sends only the scopes given here: set them explicitly.",
    "const authProvider = new ClientCredentialsProvider({",
    "  clientId: process.env.CLIENT_ID!,",
    "  clientSecret: process.env.CLIENT_SECRET!,",
    `  expectedIssuer: ${JSON.stringify(binding.issuer)},`,
    `  scope: ${JSON.stringify(oauthScope)},`,
    "});",
    `const transport = new StreamableHTTPClientTransport(new URL(${JSON.stringify(gatewayUrl)}), { authProvider });`,
    `const client = new Client({ name: ${JSON.stringify(agentName)}, version: "1.0.0" });`,
    "await client.connect(transport);",
    "console.log((await client.listTools()).tools.map((tool) => tool.name));",
  ].join("\n");
  return { issuer: binding.issuer, kind: binding.kind, subject: binding.subject, scope: oauthScope, tokenRequest, sdkClient };
}

/** The binding to explain: an enabled issuer's, a client_id before a sub (the usual case). */
function guidedBinding(bindings: readonly BoundIssuer[]): BoundIssuer | undefined {
  const usable = bindings.filter((binding) => binding.enabled);
  return usable.find((binding) => binding.kind === "client_id") ?? usable[0];
}

export function connectionGuide(base: URL, agentName: string, bindings: readonly BoundIssuer[] = []): ConnectionGuide {
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
  const bound = guidedBinding(bindings);
  const example = { server: "com.example/crm", tool: "get_contact" };
  return {
    gatewayUrl,
    registryUrl: new URL("/v0.1/servers", base).toString(),
    namingExample: { ...example, exposed: namespacedToolName(example.server, example.tool)! },
    entryUrlExample: serverEndpointUrl(base.origin, example.server),
    bundleUrlExample: bundleEndpointUrl(base.origin, "support-desk"),
    mcpJson,
    sdkClient,
    ...(bound ? { oauth: oauthGuide(gatewayUrl, agentName, bound) } : {}),
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

// A worked example of connecting an agent through an identity provider: runs the tests' authorization
// server (oidc-provider) on loopback, with one client allowed all of Toolgate's scopes, and prints what to
// register and bind in Toolgate and how to call the gateway with its token. Stop it with Ctrl-C.
//   npm run example:idp -- [gateway URL, default http://localhost:3000/mcp]
import { allScopes, startAuthorizationServer } from "../test/authorization-server";

const gateway = process.argv[2] ?? "http://localhost:3000/mcp";
const client = { clientId: "example-agent", secret: "example-agent-secret-change-me", scope: allScopes };

async function main() {
  const idp = await startAuthorizationServer({ audience: gateway, clients: [client] });
  const basic = Buffer.from(`${client.clientId}:${client.secret}`).toString("base64");
  console.log(`Authorization server: ${idp.issuer} (tokens for ${gateway})

1. In Toolgate, Admin → Identity providers: register ${idp.issuer}
2. On the Agents page, bind your agent to client_id ${client.clientId} of that issuer.
3. Get a token and list the agent's tools:

TOKEN=$(curl -s ${idp.issuer}/token -H 'Authorization: Basic ${basic}' \\
  -d grant_type=client_credentials -d 'scope=tools:read tools:call' --data-urlencode resource=${gateway} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')
curl -s ${gateway} -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/list' \\
  -d '{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}'
`);
  const stop = () => void idp.close().then(() => process.exit(0));
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

void main();

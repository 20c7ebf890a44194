// The gateway's request handler behind a real HTTP server on loopback, so tests can drive it with the
// official MCP SDK clients exactly as a host would, through the same Node adapter the app serves it with.
import http from "node:http";
import { closeAllBackends } from "@/lib/gateway/backends";
import { serveGateway } from "@/lib/gateway/http";
import { protectedResourceMetadata } from "@/lib/identity/resource";
import { closeLegacySessions } from "@/lib/gateway/legacy";
import { serveWith } from "@/lib/gateway/node-server";
import { signingKeySet } from "@/lib/signing/keys";
import { wireGateway } from "@/lib/runtime/gateway-wiring";
import { closeServer, listenOnLoopback } from "./loopback";

export async function startGatewayServer(): Promise<{ url: string; origin: string; close(): Promise<void> }> {
  wireGateway();
  let origin = "";
  const server = http.createServer((incoming, outgoing) => {
    // What app/.well-known/oauth-protected-resource/mcp/route.ts answers, for clients that discover the IdP.
    if (incoming.url === "/.well-known/oauth-protected-resource/mcp") {
      void protectedResourceMetadata(`${origin}${incoming.url}`).then((body) => outgoing.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
      return;
    }
    // What app/.well-known/jwks.json/route.ts answers, for fixture backends that verify minted tokens.
    if (incoming.url === "/.well-known/jwks.json") {
      void signingKeySet().then((body) => outgoing.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body)));
      return;
    }
    serveWith(serveGateway, incoming, outgoing, origin);
  });
  origin = await listenOnLoopback(server);
  process.env.NEXTAUTH_URL = origin;
  return {
    url: `${origin}/mcp`,
    origin,
    close: () => closeServer(server),
  };
}

/** Ends a gateway test: the gateway's sessions with clients and with backends, the gateway, then the backend it fronted. */
export async function closeGatewayTest(gateway: { close(): Promise<void> }, backend: { close(): Promise<void> }): Promise<void> {
  await closeLegacySessions();
  await closeAllBackends();
  await gateway.close();
  await backend.close();
}

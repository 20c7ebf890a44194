// BENCH_TOKENS=1: the agents call with access tokens from a real authorization server (oidc-provider, as
// the tests use) instead of API keys. The issuer is registered and each agent bound to its own client
// through the domain functions, as an administrator would on the Admin and Agents pages.
import { bindTokenSubject } from "@/lib/identity/bindings";
import { registerIssuer } from "@/lib/identity/issuers";
import type { Actor } from "@/lib/auth/roles";
import { allScopes, startAuthorizationServer } from "../../test/authorization-server";

/** One client-credentials token per agent, for the gateway at `gatewayUrl`, and the server to close. */
export async function agentTokens(gatewayUrl: string, admin: Actor, agentIds: string[]) {
  const clients = agentIds.map((_, n) => ({ clientId: `bench-client-${n}`, secret: `bench-secret-${n}-long-enough`, scope: allScopes }));
  const idp = await startAuthorizationServer({ audience: new URL("/mcp", gatewayUrl).toString(), clients });
  const { id: issuerId } = await registerIssuer(admin, { issuer: idp.issuer, displayName: "Bench IdP" });
  for (const [n, agentId] of agentIds.entries()) await bindTokenSubject(admin, { agentId, issuerId, kind: "client_id", subject: clients[n]!.clientId });
  const tokens = await Promise.all(clients.map((client) => idp.token(client)));
  return { tokens, close: () => idp.close() };
}

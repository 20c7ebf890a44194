// A real OAuth 2.1 / OpenID authorization server for tests: oidc-provider (the certified Node
// implementation) in-process on loopback, issuing JWT access tokens by the client-credentials grant with
// resource indicators (RFC 8707), as an organisation's IdP would issue them to its agents. Tests get
// tokens over HTTP from its token endpoint, never from a signer of their own.
//
// Token exchange (RFC 8693): oidc-provider has no built-in grant for it, so one is registered. An agent
// presents a user's token (subject_token, from `userToken`: the test's stand-in for the user having signed
// in at this IdP) and gets a JWT access token for the resource with `sub` = the user, `act.sub` = the
// agent's client_id (§4.1) and `client_id` = the agent, signed with the provider's own key.
import { randomUUID } from "node:crypto";
import http from "node:http";
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";
import { closeServer, listenOnLoopback } from "./loopback";

export interface TestClient {
  clientId: string;
  secret: string;
  /** The scopes it may ask for, space-separated. */
  scope: string;
}

export interface TestUser {
  sub: string;
  name?: string;
  email?: string;
  preferred_username?: string;
  /** Overrides the `act` claim of tokens exchanged for this user: a misbehaving IdP, for bad-input tests. */
  act?: unknown;
}

export const tokenExchangeGrant = "urn:ietf:params:oauth:grant-type:token-exchange";
const accessTokenType = "urn:ietf:params:oauth:token-type:access_token";

export interface AuthorizationServer {
  issuer: string;
  /** How often each path was requested (e.g. "/jwks"), to see what Toolgate fetched. */
  requests: Map<string, number>;
  /** A client-credentials access token for the client, for `resource` (default: the configured audience). */
  token(client: TestClient, options?: { scope?: string; resource?: string }): Promise<string>;
  /** A token of the user's own at this IdP, for an agent to exchange. */
  userToken(user: TestUser): string;
  /** RFC 8693: the agent exchanges the user's token for an access token acting for the user at `resource`. */
  exchange(client: TestClient, subjectToken: string, options?: { scope?: string; resource?: string }): Promise<string>;
  close(): Promise<void>;
}

export const allScopes = "tools:read tools:call tools:call:high-risk";

/** Another resource server the same IdP issues tokens for: a token for it must not work at Toolgate. */
export const otherResource = "https://other.example.com/api";

interface ExchangeContext {
  oidc: { params: Record<string, unknown>; client: { clientId: string; scope: string } };
  body: unknown;
}

export async function startAuthorizationServer(options: { audience: string; clients: TestClient[] }): Promise<AuthorizationServer> {
  const requests = new Map<string, number>();
  let handler: http.RequestListener = (_request, response) => void response.writeHead(503).end();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    handler(request, response);
  });
  const issuer = await listenOnLoopback(server);
  const exchangedClaims = new WeakMap<object, Record<string, unknown>>();
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-signing-key", alg: "RS256", use: "sig" };
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.secret,
      grant_types: ["client_credentials", tokenExchangeGrant],
      response_types: [],
      redirect_uris: [],
      scope: client.scope,
    })),
    jwks: { keys: [signingKey] },
    // The claims of an exchanged token (oidc-provider computes a token's extra claims here on save).
    extraTokenClaims: (_ctx: unknown, token: object) => exchangedClaims.get(token),
    formats: {
      customizers: {
        // An exchanged token's subject is the user, not the client (oidc-provider sets sub = client_id).
        jwt: (_ctx: unknown, token: { extra?: { sub?: string } }, jwt: { payload: Record<string, unknown> }) => {
          if (token.extra?.sub) jwt.payload.sub = token.extra.sub;
        },
      },
    },
    ttl: { ClientCredentials: 300 },
    scopes: allScopes.split(" "),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => options.audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, resource: string) => {
          if (resource !== options.audience && resource !== otherResource) throw new Provider.errors.InvalidTarget();
          return { scope: allScopes, audience: resource, accessTokenFormat: "jwt", accessTokenTTL: 300, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
  });
  const users = new Map<string, TestUser>();
  provider.registerGrantType(
    tokenExchangeGrant,
    async (ctx: ExchangeContext) => {
      const { params, client } = ctx.oidc;
      const user = users.get(String(params.subject_token ?? ""));
      if (!user || params.subject_token_type !== accessTokenType) throw new Provider.errors.InvalidGrant("unknown subject_token");
      const resource = String(params.resource ?? options.audience);
      if (resource !== options.audience && resource !== otherResource) throw new Provider.errors.InvalidTarget();
      const granted = new Set(client.scope.split(" "));
      const scope = String(params.scope ?? client.scope).split(" ").filter((name) => granted.has(name)).join(" ");
      const { act = { sub: client.clientId }, sub, ...profile } = user;
      const token = new provider.ClientCredentials({ client, scope });
      exchangedClaims.set(token, { ...profile, sub, act });
      token.resourceServer = { audience: resource, scope: allScopes, accessTokenFormat: "jwt", accessTokenTTL: 300, jwt: { sign: { alg: "RS256" } } };
      ctx.body = { access_token: await token.save(), issued_token_type: accessTokenType, token_type: "Bearer", expires_in: 300, scope };
    },
    ["subject_token", "subject_token_type", "actor_token", "actor_token_type", "scope", "resource", "audience", "requested_token_type"],
  );
  handler = provider.callback();
  const tokenRequest = async (client: TestClient, body: Record<string, string>) => {
    const response = await fetch(`${issuer}/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(body).toString(),
    });
    const answer = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
    if (!response.ok || !answer.access_token) throw new Error(`The token endpoint refused: ${answer.error}: ${answer.error_description}`);
    return answer.access_token;
  };
  return {
    issuer,
    requests,
    userToken(user) {
      const value = `user-${randomUUID()}`;
      users.set(value, user);
      return value;
    },
    exchange(client, subjectToken, { scope = client.scope, resource = options.audience } = {}) {
      return tokenRequest(client, { grant_type: tokenExchangeGrant, subject_token: subjectToken, subject_token_type: accessTokenType, scope, resource });
    },
    token(client, { scope = client.scope, resource = options.audience } = {}) {
      return tokenRequest(client, { grant_type: "client_credentials", scope, resource });
    },
    close: () => closeServer(server),
  };
}

// A real OAuth 2.1 / OpenID authorization server for tests: oidc-provider (the certified Node
// implementation) in-process on loopback, issuing JWT access tokens by the client-credentials grant with
// resource indicators (RFC 8707), as an organisation's IdP would issue them to its agents. Tests get
// tokens over HTTP from its token endpoint, never from a signer of their own.
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

export interface AuthorizationServer {
  issuer: string;
  /** How often each path was requested (e.g. "/jwks"), to see what Toolgate fetched. */
  requests: Map<string, number>;
  /** A client-credentials access token for the client, for `resource` (default: the configured audience). */
  token(client: TestClient, options?: { scope?: string; resource?: string }): Promise<string>;
  close(): Promise<void>;
}

export const allScopes = "tools:read tools:call tools:call:high-risk";

/** Another resource server the same IdP issues tokens for: a token for it must not work at Toolgate. */
export const otherResource = "https://other.example.com/api";

export async function startAuthorizationServer(options: { audience: string; clients: TestClient[] }): Promise<AuthorizationServer> {
  const requests = new Map<string, number>();
  let handler: http.RequestListener = (_request, response) => void response.writeHead(503).end();
  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    requests.set(path, (requests.get(path) ?? 0) + 1);
    handler(request, response);
  });
  const issuer = await listenOnLoopback(server);
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: "test-signing-key", alg: "RS256", use: "sig" };
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.secret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      scope: client.scope,
    })),
    jwks: { keys: [signingKey] },
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
  handler = provider.callback();
  return {
    issuer,
    requests,
    async token(client, { scope = client.scope, resource = options.audience } = {}) {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "client_credentials", scope, resource }).toString(),
      });
      const body = (await response.json()) as { access_token?: string; error?: string; error_description?: string };
      if (!response.ok || !body.access_token) throw new Error(`The token endpoint refused: ${body.error}: ${body.error_description}`);
      return body.access_token;
    },
    close: () => closeServer(server),
  };
}

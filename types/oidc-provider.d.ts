// oidc-provider ships no type declarations (and @types/oidc-provider is not installed); the tests'
// authorization server (test/authorization-server.ts) uses this much of it.
declare module "oidc-provider" {
  import type { RequestListener } from "node:http";

  interface ClientCredentialsToken {
    resourceServer: Record<string, unknown>;
    save(): Promise<string>;
  }

  class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): RequestListener;
    /** A custom grant at the token endpoint; the handler gets the Koa context (ctx.oidc.params, ctx.oidc.client). */
    registerGrantType(name: string, handler: (ctx: never) => Promise<void>, params?: string | string[]): void;
    ClientCredentials: new (properties: { client: unknown; scope?: string }) => ClientCredentialsToken;
    static errors: { InvalidTarget: new (description?: string) => Error; InvalidGrant: new (description?: string) => Error };
  }
  export default Provider;
}

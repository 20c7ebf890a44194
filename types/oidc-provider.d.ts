// oidc-provider ships no type declarations (and @types/oidc-provider is not installed); the tests'
// authorization server (test/authorization-server.ts) uses this much of it.
declare module "oidc-provider" {
  import type { RequestListener } from "node:http";

  class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): RequestListener;
    static errors: { InvalidTarget: new (description?: string) => Error };
  }
  export default Provider;
}

// Its own module so that what lib/gateway/virtual-server.ts calls into (./discovery-tools.ts) can refuse
// with it without importing the virtual server back.

/** A refusal answered as a JSON-RPC error: the call never reached a backend. */
export class GatewayRefusal extends Error {
  constructor(
    message: string,
    readonly code: number = -32602,
  ) {
    super(message);
  }
}

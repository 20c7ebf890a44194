/** A JSON-RPC error as an HTTP response, for refusals before any MCP server sees the request. */
export function jsonRpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return Response.json({ jsonrpc: "2.0", id: null, error: { code, message } }, { status, headers });
}

/**
 * The JSON-RPC error answering one request, sent as HTTP 200 as both SDKs send handler errors, so an
 * SDK client rejects that one request with it instead of failing the transport.
 */
export function jsonRpcErrorAnswer(id: unknown, code: number, message: string): Response {
  const requestId = typeof id === "string" || typeof id === "number" ? id : null;
  return Response.json({ jsonrpc: "2.0", id: requestId, error: { code, message } });
}

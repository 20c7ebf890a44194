/**
 * The JSON-RPC error the SDK servers answer for an error a handler threw: an integer `code` is kept, anything
 * else is -32603, and `data` goes along when there is some.
 */
export function handlerError(error: unknown): { code: number; message: string; data?: unknown } {
  const { code, message, data } = (error ?? {}) as { code?: unknown; message?: unknown; data?: unknown };
  return {
    code: Number.isSafeInteger(code) ? (code as number) : -32603,
    message: typeof message === "string" ? message : "Internal error",
    ...(data !== undefined && { data }),
  };
}

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

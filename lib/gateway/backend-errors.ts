// How the gateway tells apart and words the ways a call to a backend can fail: which failures are
// worth a new session, which count against the backend's circuit breaker, and what a person reads.
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { DomainError } from "@/lib/errors";
import { connectionFailure } from "@/lib/mcp/introspect";

/** The backend's circuit is open: calls fail at once instead of queueing on a backend that keeps failing. */
export class BackendUnavailableError extends DomainError {
  override readonly status = 503;
  constructor(
    serverName: string,
    readonly retryAfterSeconds: number,
  ) {
    super(`backend ${serverName} is unavailable (circuit open); retry in ~${retryAfterSeconds}s`);
  }
}

/** A call that went to the backend and failed: unreachable, too slow, refused, or answered with a JSON-RPC error. */
export class BackendCallError extends DomainError {
  override readonly status = 502;
  constructor(
    message: string,
    /** The backend's own JSON-RPC error, when it answered with one. */
    readonly rpcError?: { code: number; message: string; data?: unknown },
  ) {
    super(message);
  }
}

/** The live definition no longer matches the certified one; the call never reaches the backend. */
export class ToolDriftError extends DomainError {
  override readonly status = 409;
  constructor(toolName: string, serverName: string) {
    super(`tool ${toolName} of server ${serverName} is blocked: definition drift since certification`);
  }
}

/** A resource, resource template or prompt whose live definition no longer matches the certified one. */
export class DefinitionDriftError extends DomainError {
  override readonly status = 409;
  constructor(label: string, serverName: string) {
    super(`${label} of server ${serverName} is blocked: definition drift since certification`);
  }
}

/** The live tools could not be compared with the certified ones (a database failure, say): calls wait for a check that works. */
export class DriftCheckError extends DomainError {
  override readonly status = 503;
  constructor(serverName: string) {
    super(`could not check backend ${serverName} for drift; its tools are refused until a check succeeds`);
  }
}

/** The exchange broke down in transport (connection, HTTP status, lost session) rather than being answered. */
export function isTransportFailure(error: unknown): boolean {
  if (error instanceof StreamableHTTPError) return true;
  if (error instanceof McpError) return error.code === ErrorCode.ConnectionClosed;
  return connectionFailure(error) !== undefined;
}

/** Failures that say the backend is unwell, as opposed to answers it gave, refusals of our own or cancellations. */
export function isBackendFault(error: unknown): boolean {
  if (error instanceof ToolDriftError || error instanceof DefinitionDriftError || error instanceof DriftCheckError) return false;
  if (error instanceof McpError) return error.code === ErrorCode.RequestTimeout || error.code === ErrorCode.ConnectionClosed;
  return !(error instanceof Error && error.name === "AbortError");
}

export function describeFailure(error: unknown, serverName: string, timeoutMs: number): string {
  const backend = `backend ${serverName}`;
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return `${backend} did not answer within ${timeoutMs / 1000} s`;
    // Servers built on the same SDK send the prefix along too; a person needs it only once, or not at all.
    const message = rpcErrorOf(error).message.replace(/^(MCP error -?\d+: )+/, "");
    if (error.code === ErrorCode.ConnectionClosed) return `${backend} ended the exchange before answering (${message})`;
    return `${backend} answered with an error: ${message}`;
  }
  if (error instanceof StreamableHTTPError) {
    if (error.code === 404) return `${backend} no longer knows the gateway's session (HTTP 404); the next call opens a new one`;
    if (error.code === 401 || error.code === 403) {
      return `${backend} refused the gateway's credentials (HTTP ${error.code}); check the credential configured for this server`;
    }
    if (error.code === -1) return `${backend} answered with something that is neither JSON nor an event stream`;
    return `${backend} answered HTTP ${error.code}`;
  }
  // The outbound policy, and the size and time limits of guardedFetch.
  if (error instanceof DomainError) return `${backend}: ${error.message}`;
  const connection = connectionFailure(error);
  if (connection) return `could not connect to ${backend}: ${connection}`;
  if (error instanceof SyntaxError || error instanceof z.core.$ZodError) return `${backend} answered with something that is not valid MCP`;
  if (error instanceof Error && error.name === "AbortError") return `the call to ${backend} was cancelled`;
  return `${backend} failed: ${errorMessage(error)}`;
}

/** The SDK prefixes "MCP error <code>: " to the backend's message. */
export function rpcErrorOf(error: McpError): { code: number; message: string; data?: unknown } {
  const message = error.message.replace(/^MCP error -?\d+: /, "");
  return error.data === undefined ? { code: error.code, message } : { code: error.code, message, data: error.data };
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// One tools/call to a backend as plain HTTP on the session the SDK client opened (initialize, the session
// id, the negotiated version, the notification stream all stay the SDK's). The call itself is the
// hot path: the request is serialised once, the answer parsed once with JSON.parse, and no schema
// library, Fetch API object or per-call timer is involved. Failures take the shapes the SDK client
// gives them (StreamableHTTPError, McpError), so ./backend-errors.ts words and classifies both alike.
import { StreamableHTTPError } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { createParser } from "eventsource-parser";
import type { Dispatcher } from "undici";
import { isPlainObject } from "@/lib/json/plain-object";
import { formatBytes, type GuardedRequest, OutboundResponseError } from "@/lib/net/outbound";
import type { UpstreamIdentity } from "@/lib/signing/upstream-token";
import { answerBackendRequest, cancelBackendRequest } from "./backend-requests";
import { type CallRelay, relayBackendNotice } from "./call-relay";

/** A tools/call result as the backend sent it: the same object is relayed, nothing rebuilt. */
export interface CallResult {
  content: unknown[];
  structuredContent?: Record<string, unknown>;
  isError?: boolean;
  [key: string]: unknown;
}

export interface ToolCallExchange {
  url: URL;
  /** The session's headers: the catalog's credential, Mcp-Session-Id, MCP-Protocol-Version. */
  headers: Record<string, string>;
  id: number;
  name: string;
  args: Record<string, unknown>;
  timeoutMs: number;
  maxResponseBytes: number;
  signal?: AbortSignal;
  /** Relays the backend's progress (asked for with the call's id as the gateway's token) and log messages to the client. */
  relay?: CallRelay;
  /** Who and what the call is, for auditing the backend's own requests during it (./backend-requests.ts). */
  backend?: { serverId: string; serverName: string };
  caller?: UpstreamIdentity;
  correlationId?: string;
}

type Body = Dispatcher.ResponseData["body"];

export async function exchangeToolCall(post: GuardedRequest, call: ToolCallExchange): Promise<CallResult> {
  const params = call.relay?.progressToken === undefined ? { name: call.name, arguments: call.args } : { name: call.name, arguments: call.args, _meta: { progressToken: call.id } };
  const body = JSON.stringify({ jsonrpc: "2.0", id: call.id, method: "tools/call", params });
  const headers = { ...call.headers, "content-type": "application/json", accept: "application/json, text/event-stream" };
  let answer: Dispatcher.ResponseData;
  try {
    answer = await post(call.url, { headers, body, timeoutMs: call.timeoutMs, signal: call.signal });
  } catch (error) {
    throw timedOut(error, call.timeoutMs) ?? error;
  }
  try {
    return resultOf(await messageOf(answer, call, post), call.id);
  } catch (error) {
    answer.body.destroy();
    throw timedOut(error, call.timeoutMs) ?? error;
  }
}

/** undici's own timeouts, worded as the SDK client words its per-request timeout. */
function timedOut(error: unknown, timeoutMs: number): McpError | undefined {
  const cause = error instanceof TypeError ? error.cause : error;
  const code = (cause as { code?: unknown } | null)?.code;
  if (code !== "UND_ERR_HEADERS_TIMEOUT" && code !== "UND_ERR_BODY_TIMEOUT") return undefined;
  return new McpError(ErrorCode.RequestTimeout, "Request timed out", { timeout: timeoutMs });
}

async function messageOf({ statusCode, headers, body }: Dispatcher.ResponseData, call: ToolCallExchange, post: GuardedRequest): Promise<unknown> {
  if (statusCode < 200 || statusCode >= 300) {
    const text = await readText(body, 64 * 1024).catch(() => "");
    throw new StreamableHTTPError(statusCode, `Error POSTing to endpoint: ${text}`);
  }
  const type = String(headers["content-type"] ?? "");
  if (/^application\/json/i.test(type)) return JSON.parse(await readText(body, call.maxResponseBytes));
  if (/^text\/event-stream/i.test(type)) return answerFromStream(body, call, post);
  await body.dump();
  throw new StreamableHTTPError(-1, `Unexpected content type: ${type}`);
}

async function readText(body: Body, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)).toString("utf8");
}

function tooLarge(maxBytes: number): OutboundResponseError {
  return new OutboundResponseError(`The server's response exceeded the ${formatBytes(maxBytes)} limit.`);
}

// The answer to our request is the event whose message carries its id; notifications before it (progress,
// logging) are relayed when the client asked for them (./call-relay.ts). What follows the answer is
// drained rather than cut, so the connection is kept for the next call.
function answerFromStream(body: Body, call: ToolCallExchange, post: GuardedRequest): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    let settled = false;
    // A character may be split between two chunks.
    const decoder = new TextDecoder();
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      body.off("data", onData).off("end", onEnd).off("error", onError);
      outcome();
    };
    const parser = createParser({
      onEvent: (event) => {
        if (settled || (event.event !== undefined && event.event !== "message") || event.data === "") return;
        const message = JSON.parse(event.data) as { id?: unknown; method?: unknown } | null;
        // A message with a method is the backend's own request or notification, never our answer, even under our
        // request's id (each side numbers its requests: a backend's second request may carry the id of ours).
        if (message?.id !== call.id || message.method !== undefined) {
          if (message?.method === undefined) return;
          if (message.id === undefined) {
            if (message.method === "notifications/cancelled") cancelBackendRequest(call, message as { params?: unknown });
            else if (call.relay) relayBackendNotice(call.relay, call.id, message);
          } else {
            const { url, headers, timeoutMs, name: tool, relay, backend, caller, correlationId } = call;
            answerBackendRequest({ post, url, headers, timeoutMs, tool, relay, backend, caller, correlationId }, message, call);
          }
          return;
        }
        settle(() => resolve(message));
        body.dump().catch(() => {});
      },
    });
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > call.maxResponseBytes) return settle(() => reject(brokeOff(tooLarge(call.maxResponseBytes).message)));
      try {
        parser.feed(decoder.decode(chunk, { stream: true }));
      } catch (error) {
        settle(() => reject(error));
      }
    };
    const onEnd = () => settle(() => reject(brokeOff("the stream ended before the answer")));
    const onError = (error: Error) => settle(() => reject(timedOut(error, call.timeoutMs) ?? brokeOff(error.message)));
    body.on("data", onData).on("end", onEnd).on("error", onError);
  });
}

function brokeOff(reason: string): McpError {
  return new McpError(ErrorCode.ConnectionClosed, `the answer broke off: ${reason}`);
}

function resultOf(message: unknown, id: number): CallResult {
  const { id: answered, result, error } = (message ?? {}) as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: unknown } };
  if (answered !== id) throw new SyntaxError("The backend answered another request.");
  if (error && typeof error === "object") {
    const code = typeof error.code === "number" ? error.code : ErrorCode.InternalError;
    throw new McpError(code, typeof error.message === "string" ? error.message : "", error.data);
  }
  return callResultOf(result);
}

/**
 * The checks the SDK client's result schema made, without rebuilding the object: content (an empty list
 * when absent) is a list of blocks with a type, structuredContent an object, isError a boolean.
 */
export function callResultOf(result: unknown): CallResult {
  if (!isPlainObject(result)) throw new SyntaxError("The backend's result is not an object.");
  result.content ??= [];
  const { content, structuredContent, isError } = result;
  if (!Array.isArray(content) || !content.every((block) => isPlainObject(block) && typeof block.type === "string")) {
    throw new SyntaxError("The backend's content is not a list of typed blocks.");
  }
  if (structuredContent !== undefined && !isPlainObject(structuredContent)) throw new SyntaxError("The backend's structuredContent is not an object.");
  if (isError !== undefined && typeof isError !== "boolean") throw new SyntaxError("The backend's isError is not a boolean.");
  return result as CallResult;
}


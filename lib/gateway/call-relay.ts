import { z } from "zod";

// What a backend says about a call while it runs, relayed to the client that made it (decision 036):
// its progress, under the client's own progress token (the backend saw one of the gateway's), and its
// log messages, at the level the client asked for. Only the SDK path relays (a call with a progress
// token, a session that set a log level, a 2026-07-28 request naming one): the lean path answers with
// one message and has nowhere to put a notification.

export const loggingLevels = ["debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"] as const;
export type LoggingLevel = (typeof loggingLevels)[number];

const loggingLevel = z.enum(loggingLevels);

/** A notification the gateway sends the client about its call. */
export type RelayedNotification =
  | { method: "notifications/progress"; params: { progressToken: string | number; progress: number; total?: number; message?: string } }
  | { method: "notifications/message"; params: { level: LoggingLevel; logger?: string; data: unknown } };

export interface CallRelay {
  /** The client's progress token; without one, the backend is not asked for progress. */
  progressToken?: string | number;
  /** The least severe log message relayed; without one, none is. */
  logLevel?: LoggingLevel;
  notify(notification: RelayedNotification): Promise<void>;
  /**
   * Sends the client a request related to its call (a backend's elicitation/create or sampling/createMessage,
   * ./backend-requests.ts) and resolves with its answer; absent where the call cannot carry one.
   */
  ask?: (method: "elicitation/create" | "sampling/createMessage", params: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>;
}

/** A log level as a client sent it (logging/setLevel, or a 2026-07-28 request's `_meta`), or undefined when it is none. */
export function loggingLevelOf(value: unknown): LoggingLevel | undefined {
  const parsed = loggingLevel.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** logging/setLevel's level, when `body` is that request. */
export function requestedLoggingLevel(body: unknown): LoggingLevel | undefined {
  const message = body as { method?: unknown; params?: { level?: unknown } } | null;
  return message?.method === "logging/setLevel" ? loggingLevelOf(message.params?.level) : undefined;
}

const progressNotice = z.object({
  method: z.literal("notifications/progress"),
  params: z.object({ progressToken: z.union([z.string(), z.number()]), progress: z.number(), total: z.number().optional(), message: z.string().max(4096).optional() }),
});

const logNotice = z.object({
  method: z.literal("notifications/message"),
  params: z.object({ level: loggingLevel, logger: z.string().max(256).optional(), data: z.unknown() }),
});

/**
 * Relays one message the backend sent on the call's stream before its answer, if it is the call's
 * progress (under `upstreamToken`, the gateway's token) or a log message at or above the client's level.
 * Anything else (requests are ./backend-requests.ts's; other notifications) is not relayed. A client
 * that went away does not fail the call.
 */
export function relayBackendNotice(relay: CallRelay, upstreamToken: string | number, message: { method?: unknown }): void {
  if (message.method === "notifications/progress" && relay.progressToken !== undefined) {
    const parsed = progressNotice.safeParse(message);
    if (!parsed.success || parsed.data.params.progressToken !== upstreamToken) return;
    const { progress, total, message: words } = parsed.data.params;
    const params = { progressToken: relay.progressToken, progress, ...(total !== undefined && { total }), ...(words !== undefined && { message: words }) };
    relay.notify({ method: "notifications/progress", params }).catch(() => {});
  } else if (message.method === "notifications/message" && relay.logLevel !== undefined) {
    const parsed = logNotice.safeParse(message);
    if (!parsed.success || loggingLevels.indexOf(parsed.data.params.level) < loggingLevels.indexOf(relay.logLevel)) return;
    const { level, logger, data } = parsed.data.params;
    relay.notify({ method: "notifications/message", params: logger === undefined ? { level, data } : { level, logger, data } }).catch(() => {});
  }
}

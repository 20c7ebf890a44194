import pg from "pg";
import { env } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";

// One LISTEN connection per process for every channel the database's triggers notify (resolution
// changes, tool-call approval decisions, ...). A channel is one `onChannel(name, handlers)` line; the
// connection LISTENs to every registered channel, reconnects with backoff when it drops, and tells
// each channel when it goes and comes back (a dropped connection may have missed notifications, so a
// channel's cache or waiters must catch up then). See docs/decisions/008 and 040.

/** How the listener shows in pg_stat_activity. */
export const listenerApplicationName = "toolgate-listener";

const retryDelayMs = { first: 250, max: 5_000 };
const channelName = /^[a-z_][a-z0-9_]{0,62}$/;

export interface ChannelHandlers {
  /** A notification on the channel, with its payload ("" when none). */
  notify: (payload: string) => void;
  /** The connection came up (true) or went (false): whatever was notified meanwhile is unknown. */
  connection?: (listening: boolean) => void;
}

interface ListenerState {
  channels: Map<string, Set<ChannelHandlers>>;
  listening: boolean;
  running?: { started: Promise<void>; stop: () => Promise<void>; listen: (channel: string) => void };
}

// A singleton, so that every copy of this module Next.js loads shares one connection and one set of channels.
const state = singleton<ListenerState>("databaseListener", () => ({ channels: new Map(), listening: false }));

/** Whether the LISTEN connection is up now. */
export function isListening(): boolean {
  return state.listening;
}

/** Registers handlers for a channel (LISTENed at once if the connection is up); returns the unregister function. */
export function onChannel(channel: string, handlers: ChannelHandlers): () => void {
  if (!channelName.test(channel)) throw new Error(`Invalid notification channel name "${channel}".`);
  let set = state.channels.get(channel);
  if (!set) {
    set = new Set();
    state.channels.set(channel, set);
    state.running?.listen(channel);
  }
  set.add(handlers);
  return () => set.delete(handlers);
}

function tellConnection(listening: boolean): void {
  state.listening = listening;
  for (const set of state.channels.values()) for (const handlers of set) handlers.connection?.(listening);
}

class Listener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = retryDelayMs.first;

  constructor(private readonly connectionString: string) {}

  async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: listenerApplicationName });
    this.client = client;
    client.on("notification", (message) => {
      const set = state.channels.get(message.channel);
      if (set) for (const handlers of set) handlers.notify(message.payload ?? "");
    });
    client.on("error", (error) => {
      console.error("[toolgate] database listener connection failed:", error.message);
      this.dropped(client);
    });
    client.on("end", () => this.dropped(client));
    try {
      await client.connect();
      // Channel names are checked by onChannel: safe to put in the statement.
      for (const channel of state.channels.keys()) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.dropped(client);
      throw error;
    }
    if (this.client !== client) return;
    this.retryDelay = retryDelayMs.first;
    tellConnection(true);
  }

  /** LISTENs to a channel registered after the connection came up. */
  listen(channel: string): void {
    this.client?.query(`LISTEN ${channel}`).catch((error: unknown) => {
      console.error(`[toolgate] listening to ${channel} failed:`, error instanceof Error ? error.message : error);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    tellConnection(false);
    await client?.end().catch(() => undefined);
  }

  // Called once per connection however it went (error, end, or a failed connect).
  private dropped(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    tellConnection(false);
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, retryDelayMs.max);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        console.error("[toolgate] database listener could not reconnect:", error instanceof Error ? error.message : error);
      });
    }, delay);
    this.retryTimer.unref();
  }
}

/**
 * Starts the process's LISTEN connection (once; later calls share the first). Resolves when the first
 * attempt is over: listening, or — if the database cannot be reached — retrying in the background.
 * Returns the stop function, which ends the connection for every channel.
 */
export async function startListener(): Promise<() => Promise<void>> {
  if (!state.running) {
    const connectionString = env("DATABASE_URL");
    if (!connectionString) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it.");
    const listener = new Listener(connectionString);
    const started = listener.connect().catch((error: unknown) => {
      console.error("[toolgate] database listener could not connect; retrying:", error instanceof Error ? error.message : error);
    });
    const running = {
      started,
      listen: (channel: string) => listener.listen(channel),
      stop: async () => {
        if (state.running === running) state.running = undefined;
        await listener.stop();
      },
    };
    state.running = running;
  }
  const { started, stop } = state.running;
  await started;
  return stop;
}

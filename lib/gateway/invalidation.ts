import pg from "pg";
import { env } from "@/lib/config/env";
import { singleton } from "@/lib/runtime/singleton";

// Keeps every instance's resolution cache fresh. One dedicated connection LISTENs on the channel
// that the database's triggers notify whenever pins, grants, kill switches, agents, keys, versions,
// servers or drift incidents change (migration 20261124400000_gateway); any notification drops the
// whole cache, whichever instance made the change. A dropped connection may have missed
// notifications, so the cache is dropped again when it goes and when it comes back. While nothing
// listens, cached entries live only for `unlistenedTtlMs` (see docs/decisions/008-gateway-resolution.md).
// Other channels ride the same connection (listenOnChannel): the 2025-era sessions' (decision 038).

const resolutionChannel = "toolgate_resolution";
/** How a listener shows in pg_stat_activity. */
export const listenerApplicationName = "toolgate-resolution-listener";
/** How long a cached resolution may be used while no listener keeps it fresh. */
export const unlistenedTtlMs = 5_000;

const retryDelayMs = { first: 250, max: 5_000 };

/** Another channel the same connection LISTENs on (e.g. ./session-store.ts's): its payloads, and a gap in which some may have been missed. */
export interface ChannelSubscriber {
  onNotification(payload: string): void;
  onGap(): void;
}

interface InvalidationState {
  subscribers: Set<() => void>;
  listening: boolean;
  channels?: Map<string, ChannelSubscriber>;
  /** LISTENs on a channel registered while connected. */
  listenNow?: (channel: string) => void;
  running?: { started: Promise<void>; stop: () => Promise<void> };
}

// A singleton, so that every copy of this module Next.js loads shares one listener and one set of caches.
const state = singleton<InvalidationState>("resolutionInvalidation", () => ({ subscribers: new Set(), listening: false }));

/** Registers a cache to drop whenever resolution data may have changed; returns the unregister function. */
export function onResolutionChange(subscriber: () => void): () => void {
  state.subscribers.add(subscriber);
  return () => state.subscribers.delete(subscriber);
}

/**
 * Listens on one more channel over the same connection (one LISTEN connection per process); a channel has one
 * subscriber. Its onGap is called whenever the connection went or came back, as notifications may have been missed.
 */
export function listenOnChannel(channel: string, subscriber: ChannelSubscriber): () => void {
  if (!/^[a-z_]+$/.test(channel) || channel === resolutionChannel) throw new Error(`Cannot listen on channel ${channel}.`);
  state.channels ??= new Map();
  state.channels.set(channel, subscriber);
  state.listenNow?.(channel);
  return () => {
    if (state.channels?.get(channel) === subscriber) state.channels.delete(channel);
  };
}

// Notifications may have been missed: the cache is dropped, other channels' subscribers told.
function missedNotifications(): void {
  clearResolutionCache();
  for (const subscriber of state.channels?.values() ?? []) subscriber.onGap();
}

/** Drops every cached resolution in this instance. */
export function clearResolutionCache(): void {
  for (const subscriber of state.subscribers) subscriber();
}

/** Whether a LISTEN connection is up now, so cached entries need no expiry of their own. */
export function isResolutionListening(): boolean {
  return state.listening;
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
      if (message.channel === resolutionChannel) clearResolutionCache();
      else state.channels?.get(message.channel)?.onNotification(message.payload ?? "");
    });
    client.on("error", (error) => {
      console.error("[toolgate] resolution listener connection failed:", error.message);
      this.dropped(client);
    });
    client.on("end", () => this.dropped(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${resolutionChannel}`);
      for (const channel of state.channels?.keys() ?? []) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      this.dropped(client);
      throw error;
    }
    if (this.client !== client) return;
    state.listening = true;
    state.listenNow = (channel) => void client.query(`LISTEN ${channel}`).catch(() => this.dropped(client));
    this.retryDelay = retryDelayMs.first;
    // Whatever changed while nobody listened.
    missedNotifications();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    state.listening = false;
    state.listenNow = undefined;
    missedNotifications();
    await client?.end().catch(() => undefined);
  }

  // Called once per connection however it went (error, end, or a failed connect).
  private dropped(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    state.listening = false;
    state.listenNow = undefined;
    missedNotifications();
    client.end().catch(() => undefined);
    if (this.stopped) return;
    const delay = this.retryDelay;
    this.retryDelay = Math.min(this.retryDelay * 2, retryDelayMs.max);
    this.retryTimer = setTimeout(() => {
      this.connect().catch((error: unknown) => {
        console.error("[toolgate] resolution listener could not reconnect:", error instanceof Error ? error.message : error);
      });
    }, delay);
    this.retryTimer.unref();
  }
}

/**
 * Starts listening for resolution changes (once per process; later calls share the first). Resolves
 * when the first attempt is over: listening, or — if the database cannot be reached — retrying in
 * the background while cached entries expire after `unlistenedTtlMs`. Returns the stop function.
 */
export async function startResolutionInvalidation(): Promise<() => Promise<void>> {
  if (!state.running) {
    const connectionString = env("DATABASE_URL");
    if (!connectionString) throw new Error("DATABASE_URL is not set: start the app with `npm start`, which provides it.");
    const listener = new Listener(connectionString);
    const started = listener.connect().catch((error: unknown) => {
      console.error("[toolgate] resolution listener could not connect; retrying:", error instanceof Error ? error.message : error);
    });
    const running = {
      started,
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

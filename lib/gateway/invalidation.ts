import { isListening, listenerApplicationName, onChannel, startListener } from "@/lib/db/listener";
import { singleton } from "@/lib/runtime/singleton";

// Keeps every instance's resolution cache fresh. The process's LISTEN connection listens on the channel
// that the database's triggers notify whenever pins, grants, kill switches, agents, keys, versions,
// servers or drift incidents change (migration 20261124400000_gateway); any notification drops the
// whole cache, whichever instance made the change. A dropped connection may have missed
// notifications, so the cache is dropped again when it goes and when it comes back. While nothing
// listens, cached entries live only for `unlistenedTtlMs` (see docs/decisions/008-gateway-resolution.md).

const resolutionChannel = "toolgate_resolution";
/** How the listener shows in pg_stat_activity. */
export { listenerApplicationName };
/** How long a cached resolution may be used while no listener keeps it fresh. */
export const unlistenedTtlMs = 5_000;

interface InvalidationState {
  subscribers: Set<() => void>;
  unregister?: () => void;
}

// A singleton, so that every copy of this module Next.js loads shares one listener and one set of caches.
const state = singleton<InvalidationState>("resolutionInvalidation", () => ({ subscribers: new Set() }));

/** Registers a cache to drop whenever resolution data may have changed; returns the unregister function. */
export function onResolutionChange(subscriber: () => void): () => void {
  state.subscribers.add(subscriber);
  return () => state.subscribers.delete(subscriber);
}

/** Drops every cached resolution in this instance. */
export function clearResolutionCache(): void {
  for (const subscriber of state.subscribers) subscriber();
}

/** Whether a LISTEN connection is up now, so cached entries need no expiry of their own. */
export function isResolutionListening(): boolean {
  return isListening();
}

/**
 * Starts listening for resolution changes on the process's one LISTEN connection (lib/db/listener.ts;
 * later calls share it). Resolves when the first attempt is over: listening, or — if the database
 * cannot be reached — retrying in the background while cached entries expire after `unlistenedTtlMs`.
 * Returns the stop function (it ends the shared connection).
 */
export async function startResolutionInvalidation(): Promise<() => Promise<void>> {
  state.unregister ??= onChannel(resolutionChannel, {
    notify: clearResolutionCache,
    // Whatever changed while nobody listened: dropped when the connection goes and again when it is back.
    connection: clearResolutionCache,
  });
  return startListener();
}

// Waits that a notification may cut short: a call waiting for an approval, a retry waiting for the instance
// that holds its call. Each wait watches one id; a notification for the id (or a change of the listening
// connection, when one may have been missed) wakes every watch of it. The waiter still re-reads what it
// waits for: a wake-up says "look again", never what changed.

interface Waiter {
  /** A notification came since the last `consume`. */
  notified: boolean;
  wake?: () => void;
}

export interface Watch {
  /** Whether the watched thing changed (or may have) since the last call. */
  consume(): boolean;
  /** Sleeps up to `ms`, less when a notification comes or `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

function wake(waiter: Waiter): void {
  waiter.notified = true;
  waiter.wake?.();
}

export class Wakeups {
  private readonly waiters = new Map<string, Set<Waiter>>();

  /** A notification for `id`: its watches look again. */
  readonly wake = (id: string): void => this.waiters.get(id)?.forEach(wake);

  /** The listening connection went or came back: a notification may have been missed, so every watch looks again. */
  readonly wakeAll = (): void => this.waiters.forEach((set) => set.forEach(wake));

  /** Watches one id for the length of a wait (start it before the first read, so no change slips between read and sleep). */
  watch(id: string): Watch {
    const waiter: Waiter = { notified: false };
    let set = this.waiters.get(id);
    if (!set) this.waiters.set(id, (set = new Set()));
    set.add(waiter);
    return {
      consume() {
        const notified = waiter.notified;
        waiter.notified = false;
        return notified;
      },
      sleep: (ms, signal) => sleepUnlessWoken(waiter, ms, signal),
      close: () => {
        set.delete(waiter);
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id);
      },
    };
  }
}

function sleepUnlessWoken(waiter: Waiter, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (waiter.notified || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      waiter.wake = undefined;
      resolve();
    };
    const timer = setTimeout(done, ms);
    waiter.wake = done;
    signal?.addEventListener("abort", done, { once: true });
  });
}

import { isListening, onChannel } from "@/lib/db/listener";
import { singleton } from "@/lib/runtime/singleton";

// Wakes calls waiting for a tool-call approval the moment its status changes, on whichever instance
// the call waits: the database notifies the request's id on `toolgate_approvals` (trigger in migration
// 20261202120000_jobs) and the process's LISTEN connection (lib/db/listener.ts) hands it here. When the
// connection goes or comes back every waiter re-checks (a decision may have been missed), and while it
// is down waiters poll at the old pace (docs/decisions/040-jobs-and-events.md).

const approvalChannel = "toolgate_approvals";
/** How often a waiting call re-reads its request: a safety net while listening, the old pace while not. */
const pollMs = { listening: 5_000, unlistened: 500 };

interface Waiter {
  /** A notification came since the last `consume`. */
  notified: boolean;
  wake?: () => void;
}

interface WakeupState {
  waiters: Map<string, Set<Waiter>>;
  unregister?: () => void;
}

const state = singleton<WakeupState>("approvalWakeups", () => ({ waiters: new Map() }));

function wake(waiter: Waiter): void {
  waiter.notified = true;
  waiter.wake?.();
}

/** Registers the channel on the process's listener (at start, so no decision slips by before the first wait). */
export function listenForApprovalDecisions(): void {
  state.unregister ??= onChannel(approvalChannel, {
    notify: (id) => state.waiters.get(id)?.forEach(wake),
    connection: () => state.waiters.forEach((set) => set.forEach(wake)),
  });
}

/** How long a waiting call sleeps between reads of its request when nothing wakes it. */
export function approvalPollMs(): number {
  return isListening() ? pollMs.listening : pollMs.unlistened;
}

export interface ApprovalWatch {
  /** Whether the request changed (or may have) since the last call. */
  consume(): boolean;
  /** Sleeps up to `ms`, less when the request changes or `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  close(): void;
}

/** Watches one request for the length of a wait (registered before the first read, so no change is missed between read and sleep). */
export function watchApproval(id: string): ApprovalWatch {
  listenForApprovalDecisions();
  const waiter: Waiter = { notified: false };
  let set = state.waiters.get(id);
  if (!set) state.waiters.set(id, (set = new Set()));
  set.add(waiter);
  return {
    consume() {
      const notified = waiter.notified;
      waiter.notified = false;
      return notified;
    },
    sleep(ms, signal) {
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
    },
    close() {
      set.delete(waiter);
      if (set.size === 0 && state.waiters.get(id) === set) state.waiters.delete(id);
    },
  };
}

import { isListening, onChannel } from "@/lib/db/listener";
import { singleton } from "@/lib/runtime/singleton";
import { type Watch, Wakeups } from "@/lib/runtime/wakeups";

// Wakes calls waiting for a tool-call approval the moment its status changes, on whichever instance
// the call waits: the database notifies the request's id on `toolgate_approvals` (trigger in migration
// 20261202120000_jobs) and the process's LISTEN connection (lib/db/listener.ts) hands it here. When the
// connection goes or comes back every waiter re-checks (a decision may have been missed), and while it
// is down waiters poll at the old pace (docs/decisions/040-jobs-and-events.md).

const approvalChannel = "toolgate_approvals";
/** How often a waiting call re-reads its request: a safety net while listening, the old pace while not. */
const pollMs = { listening: 5_000, unlistened: 500 };

interface WakeupState {
  wakeups: Wakeups;
  unregister?: () => void;
}

const state = singleton<WakeupState>("approvalWakeups", () => ({ wakeups: new Wakeups() }));

/** Registers the channel on the process's listener (at start, so no decision slips by before the first wait). */
export function listenForApprovalDecisions(): void {
  state.unregister ??= onChannel(approvalChannel, {
    notify: state.wakeups.wake,
    connection: state.wakeups.wakeAll,
  });
}

/** How long a waiting call sleeps between reads of its request when nothing wakes it. */
export function approvalPollMs(): number {
  return isListening() ? pollMs.listening : pollMs.unlistened;
}

export type ApprovalWatch = Watch;

/** Watches one request for the length of a wait (registered before the first read, so no change is missed between read and sleep). */
export function watchApproval(id: string): ApprovalWatch {
  listenForApprovalDecisions();
  return state.wakeups.watch(id);
}

import { sqlState } from "@/lib/db/sql-state";

// A batch of audit events is one INSERT, so one event the database refuses would fail all of them, and
// retrying the batch would fail forever. Failures caused by the data (SQLSTATE classes 22 "data
// exception" and 23 "integrity constraint", or an event that cannot even be serialised) are isolated by
// splitting the batch until the event at fault stands alone; anything else (connection lost, database
// down, a broken trigger) fails every event alike and is left to the caller's retry.

/** Whether the failure is about the events written rather than about the database. */
function isDataError(error: unknown): boolean {
  const state = sqlState(error);
  if (state) return state.startsWith("22") || state.startsWith("23");
  return error instanceof RangeError || error instanceof TypeError;
}

// The unique index on idempotency keys refused an event another writer had just recorded: it is there.
function alreadyRecorded(error: unknown): boolean {
  return sqlState(error) === "23505" && /audit_events_idempotency_key_key/.test(error instanceof Error ? error.message : JSON.stringify(error));
}

/**
 * Writes the batch; if the database refuses it for its data, writes each half apart, recursively, so
 * every good event lands (in order) and each one at fault is handed to `onPoisoned`. The writer must be
 * idempotent (the audit INSERT skips known idempotency keys), since a half may be written again when a
 * later half meets an outage. Rejects with the first error that is not about the data.
 */
export async function writeIsolating<T>(batch: T[], write: (events: T[]) => Promise<void>, onPoisoned: (event: T, error: unknown) => void): Promise<void> {
  if (batch.length === 0) return;
  try {
    await write(batch);
  } catch (error) {
    if (!isDataError(error)) throw error;
    if (batch.length === 1) return alreadyRecorded(error) ? undefined : onPoisoned(batch[0]!, error);
    const middle = Math.ceil(batch.length / 2);
    await writeIsolating(batch.slice(0, middle), write, onPoisoned);
    await writeIsolating(batch.slice(middle), write, onPoisoned);
  }
}

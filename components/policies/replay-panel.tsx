import type { ActionState } from "@/lib/action-state";
import type { ReplayRun } from "@/lib/policy/replay-runs";
import { LiveRefresh } from "../ui/live-refresh";
import { utcMinute } from "./format";
import { ReplayForm } from "./replay-form";
import { ReplayReportView } from "./replay-report";

/** Replay: start one over the last days, watch it run (the page refreshes each second), then read its report. */
export function ReplayPanel({ setId, run, start }: { setId: string; run: ReplayRun | null; start: (state: ActionState, form: FormData) => Promise<ActionState> }) {
  const running = run !== null && (run.status === "queued" || run.status === "running");
  return (
    <section aria-labelledby="replay" className="mt-8 space-y-3">
      <h2 id="replay" className="text-lg font-semibold">
        Replay
      </h2>
      <p className="text-sm text-slate-600">What this set would have decided for the calls the gateway audited, beside what the active set decides for them.</p>
      {!running && <ReplayForm setId={setId} start={start} />}
      {running && (
        <div role="status" className="text-sm">
          <LiveRefresh intervalMs={1_000} />
          <p>
            Replaying {utcMinute(run.windowFrom)} to {utcMinute(run.windowTo)}: {run.processed} of {run.total} calls.
          </p>
          <progress value={run.processed} max={Math.max(run.total, 1)} aria-label="Replay progress" className="mt-1 w-full max-w-md" />
        </div>
      )}
      {run?.status === "failed" && (
        <p role="alert" className="text-sm text-red-700">
          {run.error}
        </p>
      )}
      {run?.status === "done" && run.report && (
        <div className="space-y-2">
          <h3 className="font-semibold">
            Report: {utcMinute(run.windowFrom)} to {utcMinute(run.windowTo)}
          </h3>
          <ReplayReportView report={run.report} />
        </div>
      )}
    </section>
  );
}

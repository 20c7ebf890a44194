import { Badge } from "@/components/ui/badges";
import { utcToTheSecond } from "@/lib/text/utc-time";

// The cluster's periodic jobs as the admin page shows them (decision 040): one card per job, its
// period, last run and outcome, what the last run found (its summary), the error of a failure, the next
// run and the failures in a row. A card, not a table, so it wraps on a phone.

/** A job as the page passes it in (lib/runtime/jobs.ts JobView, dates as ISO strings). */
export interface JobCard {
  name: string;
  periodMs: number;
  nextRunAt: string;
  runningBy: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastOutcome: "succeeded" | "failed" | null;
  lastError: string | null;
  consecutiveFailures: number;
  failing: boolean;
  lastInstance: string | null;
  /** What the latest finished run found, e.g. the drift sweep's unreachable backends. */
  lastSummary: string | null;
}

/** "30 s", "1 min", "5 min", "1 h 30 min". */
export function periodText(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 100) / 10} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** An instant as UTC, to the second, in a <time> element. */
function Instant({ at }: { at: string }) {
  return <time dateTime={at}>{`${utcToTheSecond(at)} UTC`}</time>;
}

function Outcome({ job }: { job: JobCard }) {
  if (job.runningBy) return <Badge tone="info">running on {job.runningBy}</Badge>;
  if (job.failing) return <Badge tone="bad">failing: {job.consecutiveFailures} failures in a row</Badge>;
  if (job.lastOutcome === "failed") return <Badge tone="warn">failed, retrying</Badge>;
  if (job.lastOutcome === "succeeded") return <Badge tone="good">succeeded</Badge>;
  return <Badge>not run yet</Badge>;
}

export function JobsList({ jobs }: { jobs: JobCard[] }) {
  if (jobs.length === 0) return <p className="text-sm text-slate-600">No job has been registered yet: they are added when an instance starts.</p>;
  return (
    <ul className="space-y-3" aria-label="Jobs">
      {jobs.map((job) => (
        <li key={job.name} aria-labelledby={`job-${job.name}`} className={`rounded-lg border p-4 text-sm ${job.failing ? "border-red-300 bg-red-50" : "border-slate-200 bg-white"}`}>
          <div className="flex flex-wrap items-center gap-2">
            <h3 id={`job-${job.name}`} className="break-all font-mono font-medium">
              {job.name}
            </h3>
            <Outcome job={job} />
          </div>
          <dl className="mt-2 grid gap-x-6 gap-y-1 sm:grid-cols-[10rem_1fr]">
            <dt className="text-slate-600">Every</dt>
            <dd>{periodText(job.periodMs)}</dd>
            <dt className="text-slate-600">Last run</dt>
            <dd className="min-w-0 break-words">
              {job.lastStartedAt ? (
                <>
                  <Instant at={job.lastStartedAt} />
                  {job.lastInstance && ` on ${job.lastInstance}`}
                </>
              ) : (
                "never"
              )}
            </dd>
            {job.lastSummary && (
              <>
                <dt className="text-slate-600">Last result</dt>
                <dd className="min-w-0 whitespace-pre-wrap break-words">{job.lastSummary}</dd>
              </>
            )}
            <dt className="text-slate-600">Next run</dt>
            <dd>
              <Instant at={job.nextRunAt} />
            </dd>
            {job.consecutiveFailures > 0 && (
              <>
                <dt className="text-slate-600">Failures in a row</dt>
                <dd>{job.consecutiveFailures}</dd>
              </>
            )}
            {job.lastError && (
              <>
                <dt className="text-slate-600">Last error</dt>
                <dd className="min-w-0 whitespace-pre-wrap break-words font-mono text-xs">{job.lastError}</dd>
              </>
            )}
          </dl>
        </li>
      ))}
    </ul>
  );
}

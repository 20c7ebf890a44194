import Link from "next/link";
import { type NextStep, stages } from "@/lib/certification/next-step";

/** Where the entry is on its way to the agents, where it runs, and the signed-in person's one next step. */
export function NextStepStrip({ step, version }: { step: NextStep; version: string | null }) {
  const current = stages.findIndex((stage) => stage.id === step.stage);
  return (
    <section aria-label="Next step" className="mb-6 rounded-lg border border-slate-200 bg-white p-4">
      <ol aria-label="Lifecycle" className="flex flex-wrap items-center gap-x-1 gap-y-2 text-xs">
        {stages.map((stage, index) => {
          const state = index < current ? "done" : index === current ? "current" : "todo";
          return (
            <li
              key={stage.id}
              aria-current={state === "current" ? "step" : undefined}
              className={`flex items-center gap-1 ${index > 0 ? "before:text-slate-400 before:content-['→']" : ""}`}
            >
              <span
                className={`rounded-full px-2 py-0.5 ${
                  state === "current" ? "bg-indigo-700 font-semibold text-white" : state === "done" ? "bg-emerald-50 text-emerald-800" : "bg-slate-100 text-slate-600"
                }`}
              >
                {state === "done" && <span aria-hidden="true">✓ </span>}
                {stage.label}
                {state === "done" && <span className="sr-only"> (done)</span>}
              </span>
            </li>
          );
        })}
      </ol>
      <div className="mt-3 flex flex-wrap items-center gap-2 text-xs">
        <span className="text-slate-600">Runs in</span>
        <ul aria-label="Environments" className="flex flex-wrap gap-2">
          {step.environments.map(({ environment, version: running }) => (
            <li key={environment} className={`rounded border px-2 py-0.5 ${running ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-slate-200 text-slate-600"}`}>
              {environment} {running ? <span className="font-mono">{running}</span> : "not yet"}
            </li>
          ))}
        </ul>
      </div>
      <div className="mt-3 flex flex-wrap items-center gap-x-4 gap-y-2">
        {step.action && (
          <Link href={step.action.href} className="rounded bg-indigo-700 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-800">
            {step.action.label}
          </Link>
        )}
        <div className="min-w-0 flex-1 text-sm text-slate-700">
          {version && <p className="sr-only">Version {version}.</p>}
          {step.notes.map((note) => (
            <p key={note} className="break-words">
              {note}
            </p>
          ))}
        </div>
      </div>
    </section>
  );
}

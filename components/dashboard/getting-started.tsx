import Link from "next/link";
import type { StartStep } from "@/lib/dashboard/getting-started";

/** The first steps of a new Toolgate, with what is done and where to take the next one. */
export function GettingStarted({ steps }: { steps: StartStep[] }) {
  const next = steps.find((step) => !step.done);
  return (
    <section aria-label="Getting started" className="mb-8 rounded-lg border border-indigo-200 bg-indigo-50 p-5">
      <h2 className="font-semibold">Getting started</h2>
      <p className="mt-1 text-sm text-slate-700">What a new Toolgate needs before an agent can call a governed tool.</p>
      <ol className="mt-3 space-y-1 text-sm">
        {steps.map((step) => (
          <li key={step.label} className="flex flex-wrap items-baseline gap-2">
            <span aria-hidden="true">{step.done ? "✓" : "○"}</span>
            <Link href={step.href} className={step === next ? "font-medium text-indigo-800 underline" : "text-slate-800 underline"}>
              {step.label}
            </Link>
            <span className="text-slate-600">{step.done ? "(done)" : step === next ? "(next)" : "(to do)"}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

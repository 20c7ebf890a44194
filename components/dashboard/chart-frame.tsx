import type { ReactNode } from "react";

/** A titled panel with a fixed-height body: Recharts sizes its chart to the box it is given. */
export function ChartFrame({ title, testId, children, wide = false }: { title: string; testId: string; children: ReactNode; wide?: boolean }) {
  return (
    <figure className={`rounded-lg border border-slate-200 bg-white p-4 ${wide ? "lg:col-span-2" : ""}`} data-testid={testId}>
      <figcaption className="mb-3 text-sm font-semibold text-slate-700">{title}</figcaption>
      <div className="h-64">{children}</div>
    </figure>
  );
}

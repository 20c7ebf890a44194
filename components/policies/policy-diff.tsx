import { DiffLegend, LineDiff } from "@/components/catalog/tool-changes";
import { diffTextLines } from "@/lib/catalog/tool-diff";

/** A policy set's text against the active set's, line by line. */
export function PolicyDiff({ active, activeNumber, text }: { active: string; activeNumber: number; text: string }) {
  if (active === text) return <p className="text-sm text-slate-600">Same text as the active set #{activeNumber}.</p>;
  return (
    <section aria-label={`Changes from the active set #${activeNumber}`} className="min-w-0 text-sm">
      <LineDiff parts={diffTextLines(active, text)} />
      <DiffLegend />
    </section>
  );
}

import Link from "next/link";
import type { ReactNode } from "react";
import { Button } from "@/components/ui/form-fields";

interface Props {
  /** The form's accessible name, e.g. "Search the catalog". */
  label: string;
  submitLabel: string;
  /** The page without filters, where Clear goes. */
  clearHref: string;
  testId?: string;
  children: ReactNode;
}

/** A list's filters as a GET form, so a filtered view lives in its URL and can be shared. */
export function FilterForm({ label, submitLabel, clearHref, testId, children }: Props) {
  return (
    <form method="get" role="search" aria-label={label} data-testid={testId} className="mb-6 space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      {children}
      <div className="flex gap-3">
        <Button type="submit">{submitLabel}</Button>
        <Link href={clearHref} className="rounded border border-slate-300 bg-white px-4 py-2 text-sm font-medium text-slate-800 hover:bg-slate-100">
          Clear
        </Link>
      </div>
    </form>
  );
}

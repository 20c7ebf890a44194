import type { z } from "zod";

/** Says why the filters in the address cannot be used, instead of failing the page. */
export function UnusableFilters({ error }: { error: z.ZodError }) {
  return (
    <p role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-800">
      These filters cannot be used: {error.issues.map((issue) => issue.message).join(" ")}
    </p>
  );
}

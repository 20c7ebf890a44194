import type { PolicyProblem } from "@/lib/policy/policy-set";

/** Where a problem is: "line 3:14 in no-etc", or what of that is known. */
export function problemPlace(problem: PolicyProblem): string {
  const place = problem.line === null ? "" : `line ${problem.line}:${problem.column ?? 1}`;
  const policy = problem.policyId ? `in ${problem.policyId}` : "";
  return [place, policy].filter(Boolean).join(" ") || "the whole set";
}

/** A policy set's problems as a list, each naming its line:column and policy; nothing when there are none. */
export function PolicyProblems({ problems }: { problems: readonly PolicyProblem[] }) {
  if (problems.length === 0) return null;
  return (
    <div className="rounded border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      <p className="font-medium">
        {problems.length === 1 ? "1 problem" : `${problems.length} problems`}: the set cannot be proposed until {problems.length === 1 ? "it is" : "they are"} fixed.
      </p>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {problems.map((problem, index) => (
          <li key={index}>
            <span className="font-mono">{problemPlace(problem)}</span>: {problem.message}
            {problem.help && <span className="block text-red-700">{problem.help}</span>}
          </li>
        ))}
      </ul>
    </div>
  );
}

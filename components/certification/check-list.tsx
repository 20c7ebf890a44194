import { Badge } from "@/components/ui/badges";

interface Check {
  name: string;
  passed: boolean;
  reasons: string[];
}

const labels: Record<string, string> = { quality: "Quality", safety: "Safety", compliance: "Compliance", security: "Security" };

/** Compact pass/fail badges, one per prerelease check. */
export function CheckBadges({ checks }: { checks: Check[] }) {
  return (
    <span className="flex flex-wrap gap-1">
      {checks.map((check) => (
        <Badge key={check.name} tone={check.passed ? "good" : "bad"}>
          {labels[check.name] ?? check.name} {check.passed ? "✓" : "✗"}
        </Badge>
      ))}
    </span>
  );
}

/** The prerelease checklist with the reason for every failure. */
export function CheckList({ checks }: { checks: Check[] }) {
  return (
    <ul className="space-y-2" aria-label="Prerelease checks">
      {checks.map((check) => (
        <li key={check.name} className="rounded border border-slate-200 bg-white p-3 text-sm" data-testid={`check-${check.name}`}>
          <div className="flex items-center gap-2">
            <Badge tone={check.passed ? "good" : "bad"}>{check.passed ? "passes" : "fails"}</Badge>
            <span className="font-medium">{labels[check.name] ?? check.name}</span>
          </div>
          {check.reasons.length > 0 && (
            <ul className="mt-1 list-disc pl-6 text-slate-700">
              {check.reasons.map((reason) => (
                <li key={reason}>{reason}</li>
              ))}
            </ul>
          )}
        </li>
      ))}
    </ul>
  );
}

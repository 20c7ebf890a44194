import { Badge } from "@/components/ui/badges";
import type { ToolChange } from "@/lib/catalog/tool-diff";

/** Per-tool differences of a version from the one before it. */
export function ToolChanges({ version, previous, changes }: { version: string; previous: string | null; changes: ToolChange[] }) {
  const shown = changes.filter((change) => change.kind !== "unchanged");
  const unchanged = changes.length - shown.length;
  return (
    <section aria-label={`Changes in ${version}`} className="rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <h3 className="font-semibold">
        {previous ? `Changes in ${version} since ${previous}` : `${version} is the first version: every tool is new`}
      </h3>
      {shown.length === 0 ? (
        <p className="mt-2 text-slate-600">No tool changed.</p>
      ) : (
        <ul className="mt-2 space-y-1">
          {shown.map((change) => (
            <li key={`${change.kind}-${change.name}`} className="flex flex-wrap items-center gap-2">
              <ChangeBadge change={change} />
              <span className="font-mono">{change.name}</span>
              {change.kind === "changed" && <span className="text-slate-600">({change.fields.join(", ")})</span>}
            </li>
          ))}
        </ul>
      )}
      {previous && unchanged > 0 && <p className="mt-2 text-slate-500">{unchanged} unchanged.</p>}
    </section>
  );
}

function ChangeBadge({ change }: { change: ToolChange }) {
  if (change.kind === "added") return <Badge tone="good">added</Badge>;
  if (change.kind === "removed") return <Badge tone="bad">removed</Badge>;
  return <Badge tone="warn">changed</Badge>;
}

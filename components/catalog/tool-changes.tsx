import { Badge } from "@/components/ui/badges";
import type { DiffPart, FieldDiff, ToolChange } from "@/lib/catalog/tool-diff";

/** Per-tool differences of a version from the one before it, each changed field shown whole. */
export function ToolChanges({ version, previous, changes }: { version: string; previous: string | null; changes: ToolChange[] }) {
  const shown = changes.filter((change) => change.kind !== "unchanged");
  const unchanged = changes.length - shown.length;
  return (
    <section aria-label={`Changes in ${version}`} className="min-w-0 rounded-lg border border-slate-200 bg-white p-4 text-sm">
      <h3 className="font-semibold">
        {previous ? `Changes in ${version} since ${previous}` : `${version} is the first version: every tool is new`}
      </h3>
      {shown.length === 0 ? (
        <p className="mt-2 text-slate-600">No tool changed.</p>
      ) : (
        <ul className="mt-2 space-y-3">
          {shown.map((change) => (
            <li key={`${change.kind}-${change.name}`} className="min-w-0">
              <div className="flex flex-wrap items-center gap-2">
                <ChangeBadge change={change} />
                <span className="break-all font-mono">{change.name}</span>
                {change.kind === "changed" && <span className="text-slate-600">({change.fields.join(", ")})</span>}
              </div>
              {change.kind === "changed" && <DefinitionDiff tool={change.name} diffs={change.diffs} />}
            </li>
          ))}
        </ul>
      )}
      {shown.some((change) => change.kind === "changed") && <DiffLegend />}
      {previous && unchanged > 0 && <p className="mt-2 text-slate-500">{unchanged} unchanged.</p>}
    </section>
  );
}

function ChangeBadge({ change }: { change: ToolChange }) {
  if (change.kind === "added") return <Badge tone="good">added</Badge>;
  if (change.kind === "removed") return <Badge tone="bad">removed</Badge>;
  return <Badge tone="warn">changed</Badge>;
}

export function DiffLegend() {
  return (
    <p className="mt-3 text-xs text-slate-600">
      <del className="bg-red-100 text-red-800">Struck through in red</del>: removed. <ins className="bg-green-100 text-green-900">Underlined in green</ins>: added.
    </p>
  );
}

/** Each changed field of a tool: the words of a text, the lines of a schema; never shortened. */
export function DefinitionDiff({ tool, diffs }: { tool: string; diffs: FieldDiff[] }) {
  return (
    <div className="mt-2 space-y-2">
      {diffs.map((diff) => (
        <div key={diff.field} role="group" aria-label={`${diff.field} of ${tool}`} className="min-w-0">
          <p className="text-xs font-medium text-slate-600">{diff.field}</p>
          {diff.mode === "words" ? <WordDiff parts={diff.parts} /> : <LineDiff parts={diff.parts} />}
        </div>
      ))}
    </div>
  );
}

function WordDiff({ parts }: { parts: DiffPart[] }) {
  return (
    <p className="whitespace-pre-wrap break-words rounded border border-slate-200 bg-slate-50 p-2">
      {parts.map((part, index) =>
        part.change === "added" ? (
          <ins key={index} className="bg-green-100 text-green-900">
            {part.text}
          </ins>
        ) : part.change === "removed" ? (
          <del key={index} className="bg-red-100 text-red-800">
            {part.text}
          </del>
        ) : (
          <span key={index}>{part.text}</span>
        ),
      )}
    </p>
  );
}

const linePrefix = { added: "+ ", removed: "- ", same: "  " } as const;

/** Lines added and removed, each marked with +/- and colour; unchanged lines shown as they are. */
export function LineDiff({ parts }: { parts: DiffPart[] }) {
  const lines = parts.filter((part) => part.text !== "").flatMap((part) => part.text.replace(/\n$/, "").split("\n").map((text) => ({ text, change: part.change })));
  return (
    <pre className="whitespace-pre-wrap break-all rounded border border-slate-200 bg-slate-50 p-2 text-xs">
      {lines.map((line, index) => {
        const text = linePrefix[line.change] + line.text;
        if (line.change === "added") return <ins key={index} className="block bg-green-100 text-green-900">{text}</ins>;
        if (line.change === "removed") return <del key={index} className="block bg-red-100 text-red-800">{text}</del>;
        return <span key={index} className="block text-slate-700">{text}</span>;
      })}
    </pre>
  );
}

import Link from "next/link";
import type { ReactNode } from "react";
import type { DriftChange, DriftIncidentView } from "@/lib/gateway/drift";
import { DefinitionDiff, DiffLegend } from "./tool-changes";

const short = (hash: string | null) => (hash ? `${hash.slice(0, 12)}…` : "no longer declared");

/**
 * Open drift incidents: tools the gateway blocks because the live definition differs from the certified
 * one, each with what changed (certified against live) and, when given, what the person may do about it.
 */
export function DriftTable({ incidents, actions }: { incidents: DriftIncidentView[]; actions?: (incident: DriftIncidentView) => ReactNode }) {
  return (
    <ul aria-label="Drift incidents" className="space-y-4">
      {incidents.map((incident) => (
        <li key={incident.id}>
          <article
            aria-label={`Drift of ${incident.toolName} in ${incident.serverName} ${incident.version}`}
            data-testid={`drift-${incident.toolName}`}
            className="min-w-0 rounded-lg border border-red-200 bg-white p-4 text-sm"
          >
            <h3 className="flex flex-wrap items-baseline gap-x-2 font-semibold">
              {incident.kind !== "tool" && <span className="font-normal text-slate-600">{kindLabels[incident.kind]}</span>}
              <span className="break-all font-mono">{incident.toolName}</span>
              <span className="font-normal text-slate-600">in</span>
              <Link href={`/catalog/${incident.serverId}`} className="break-all font-mono text-indigo-700 underline">
                {incident.serverName}
              </Link>
              <span className="font-mono">{incident.version}</span>
            </h3>
            <p className="mt-1 text-slate-600">
              Detected {incident.detectedAt.toISOString().slice(0, 16).replace("T", " ")} UTC · certified hash{" "}
              <span className="font-mono text-xs">{short(incident.pinnedHash)}</span> · live hash <span className="font-mono text-xs">{short(incident.liveHash)}</span>
            </p>
            <ChangeView tool={incident.toolName} change={incident.change} />
            {actions?.(incident)}
          </article>
        </li>
      ))}
    </ul>
  );
}

function ChangeView({ tool, change }: { tool: string; change: DriftChange }) {
  if (change.kind === "gone") return <p className="mt-2 text-slate-700">The live server no longer declares this tool.</p>;
  if (change.kind === "unrecorded") {
    return <p className="mt-2 text-slate-700">This incident was recorded before Toolgate kept the live definition: only the hashes are known.</p>;
  }
  return (
    <div className="mt-2">
      <p className="font-medium">Certified → live</p>
      <DefinitionDiff tool={tool} diffs={change.diffs} />
      <DiffLegend />
    </div>
  );
}

/** The other kinds of pinned definition a drift incident may be about (decision 032). */
const kindLabels = { resource: "Resource", resource_template: "Resource template", prompt: "Prompt" } as const;

import Link from "next/link";
import { Table } from "@/components/ui/table";
import type { DriftIncidentView } from "@/lib/gateway/drift";

const short = (hash: string | null) => (hash ? `${hash.slice(0, 12)}…` : "no longer declared");

/** Open drift incidents: tools the gateway blocks because the live definition differs from the certified one. */
export function DriftTable({ incidents }: { incidents: DriftIncidentView[] }) {
  return (
    <Table label="Drift incidents" headings={["Server", "Version", "Tool", "Certified hash", "Live hash", "Detected"]}>
      {incidents.map((incident) => (
        <tr key={incident.id} className="border-b border-slate-200" data-testid={`drift-${incident.toolName}`}>
          <td className="px-3 py-2">
            <Link href={`/catalog/${incident.serverId}`} className="font-mono text-indigo-700 underline">
              {incident.serverName}
            </Link>
          </td>
          <td className="px-3 py-2 font-mono">{incident.version}</td>
          <td className="px-3 py-2 font-mono">{incident.toolName}</td>
          <td className="px-3 py-2 font-mono text-xs">{short(incident.pinnedHash)}</td>
          <td className="px-3 py-2 font-mono text-xs">{short(incident.liveHash)}</td>
          <td className="px-3 py-2">{incident.detectedAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
        </tr>
      ))}
    </Table>
  );
}

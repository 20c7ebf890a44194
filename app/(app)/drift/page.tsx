import type { Metadata } from "next";
import Link from "next/link";
import { DriftTable } from "@/components/catalog/drift-table";
import { KillSwitchPanel } from "@/components/killswitch/kill-switch-panel";
import { EmptyState, PageHeader } from "@/components/ui/empty-state";
import { may } from "@/lib/auth/access";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { type DriftIncidentView, openDriftIncidents } from "@/lib/gateway/drift";
import { activeKillSwitches } from "@/lib/killswitch/switches";
import type { KillSwitchView } from "@/lib/killswitch/types";
import { clearKillSwitchAction, engageKillSwitchAction } from "../kill-switches/actions";

export const metadata: Metadata = { title: "Drift" };
export const dynamic = "force-dynamic";

interface Allowed {
  /** Import what the server declares now as a new version, for review: the owning team's owners. */
  importVersion: boolean;
  /** Review the server's versions: reviewers who do not own it. */
  review: boolean;
}

export default async function DriftPage() {
  const user = await requirePagePermission("catalog.view");
  const [incidents, switches] = await Promise.all([openDriftIncidents(), activeKillSwitches()]);
  // One check per server, not per incident.
  const servers = [...new Map(incidents.map((incident) => [incident.serverId, incident.teamId])).entries()];
  const allowed = new Map<string, Allowed>(
    await Promise.all(
      servers.map(async ([id, teamId]) => [id, { importVersion: await may(user, "server.edit", { teamId }), review: await may(user, "server.review", { id }) }] as const),
    ),
  );
  const manageSwitches = can(user, "killswitch.manage");
  return (
    <>
      <PageHeader title="Drift">
        Tools whose live definition no longer matches the certified one. The gateway blocks them until the server declares the certified definition again, or a new version is certified.
      </PageHeader>
      {incidents.length === 0 ? (
        <EmptyState>No drift: every pinned tool matches its certified definition.</EmptyState>
      ) : (
        <DriftTable
          incidents={incidents}
          actions={(incident) => (
            <DriftActions incident={incident} allowed={allowed.get(incident.serverId)!} manageSwitches={manageSwitches} switches={switchesOnTool(switches, incident)} />
          )}
        />
      )}
    </>
  );
}

/** Engaged switches that stop exactly this tool: in the incident's version, or in every version. */
function switchesOnTool(switches: KillSwitchView[], incident: DriftIncidentView): KillSwitchView[] {
  return switches.filter(
    (s) => s.scope === "tool" && s.serverId === incident.serverId && s.toolName === incident.toolName && (s.versionId === null || s.versionId === incident.versionId),
  );
}

const linkClass = "rounded border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-100";

/** What the person may do about the incident: nothing is offered that they would be refused. */
function DriftActions({ incident, allowed, manageSwitches, switches }: { incident: DriftIncidentView; allowed: Allowed; manageSwitches: boolean; switches: KillSwitchView[] }) {
  const entry = `/catalog/${incident.serverId}`;
  return (
    <div className="mt-4 space-y-3">
      <nav aria-label={`Actions on ${incident.toolName}`} className="flex flex-wrap gap-2">
        <Link href={entry} className={linkClass}>
          Open entry
        </Link>
        {allowed.importVersion && (
          <Link href={`${entry}?tab=versions`} className={linkClass}>
            Import the live version for review
          </Link>
        )}
        {allowed.review && (
          <Link href={`${entry}?tab=review&v=${encodeURIComponent(incident.version)}`} className={linkClass}>
            Review &amp; promotion
          </Link>
        )}
      </nav>
      {/* A tool's switch names a tool; a resource or prompt is stopped by its drift alone (decision 032). */}
      {incident.kind === "tool" && (manageSwitches || switches.length > 0) && (
        <KillSwitchPanel
          heading={`Kill switch for ${incident.toolName}`}
          noneEngaged="No kill switch is engaged: the drift alone blocks this tool until the server serves its certified definition again or a new version is certified."
          switches={switches}
          clear={clearKillSwitchAction}
          engage={engageKillSwitchAction}
          target={{ scope: "tool", serverId: incident.serverId, versionId: incident.versionId, toolName: incident.toolName }}
          canManage={manageSwitches}
        />
      )}
    </div>
  );
}

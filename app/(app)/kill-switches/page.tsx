import type { Metadata } from "next";
import Link from "next/link";
import { KillSwitchPanel } from "@/components/killswitch/kill-switch-panel";
import { PageHeader } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/auth/session";
import { activeKillSwitches } from "@/lib/killswitch/switches";
import { clearKillSwitchAction, engageKillSwitchAction } from "./actions";

export const metadata: Metadata = { title: "Kill switches" };

export default async function KillSwitchesPage() {
  await requirePagePermission("killswitch.manage");
  const switches = await activeKillSwitches();
  return (
    <>
      <PageHeader title="Kill switches">
        Engaged switches stop tool calls at once: everywhere, or for one server, version or tool. A server, a version or a tool is
        stopped from its <Link href="/catalog" className="text-indigo-700 underline">catalog entry</Link> (Review &amp; promotion tab); the
        global switch, which stops every agent&apos;s calls, is here.
      </PageHeader>
      <KillSwitchPanel
        heading={`Engaged (${switches.length})`}
        switches={switches}
        clear={clearKillSwitchAction}
        target={{ scope: "global" }}
        engage={engageKillSwitchAction}
      />
    </>
  );
}

import Link from "next/link";
import type { KillSwitchView } from "@/lib/killswitch/types";

/** Across every page while the global switch is engaged: agents get no tool call through. */
export function GlobalKillBanner({ engaged, manageHref }: { engaged: Pick<KillSwitchView, "reason" | "engagedBy" | "engagedAt">; manageHref?: string }) {
  return (
    <div role="alert" data-testid="global-kill-banner" className="border-b border-red-800 bg-red-700 text-white">
      <p className="mx-auto max-w-6xl px-6 py-2 text-sm">
        <strong className="font-semibold">Every tool call is stopped:</strong> the global kill switch is engaged
        {engaged.engagedBy && ` by ${engaged.engagedBy}`} since {new Date(engaged.engagedAt).toISOString().slice(0, 16).replace("T", " ")} UTC.{" "}
        <span className="break-words">Reason: {engaged.reason}</span>
        {manageHref && (
          <>
            {" "}
            <Link href={manageHref} className="font-semibold underline">
              Kill switches
            </Link>
          </>
        )}
      </p>
    </div>
  );
}

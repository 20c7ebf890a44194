import { byBreadth, type KillSwitchView } from "@/lib/killswitch/types";

/** A red "Killed: reason" badge when any switch applies; nothing otherwise. */
export function KillSwitchBadge({ switches }: { switches: readonly Pick<KillSwitchView, "id" | "scope" | "reason">[] }) {
  if (switches.length === 0) return null;
  const [first, ...rest] = byBreadth(switches);
  return (
    <span
      data-testid="kill-switch-badge"
      title={byBreadth(switches)
        .map((s) => `${s.scope}: ${s.reason}`)
        .join("\n")}
      className="inline-block max-w-md truncate rounded bg-red-700 px-2 py-0.5 align-bottom text-xs font-semibold text-white"
    >
      Killed: {first!.reason}
      {rest.length > 0 && ` (+${rest.length} more)`}
    </span>
  );
}

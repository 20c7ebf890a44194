import { StatusBadge } from "@/components/ui/badges";
import { CheckList } from "./check-list";

/** A version's number and status, then its prerelease checklist: the head of the Evidence and Review tabs. */
export function VersionChecks({ version, status, checks }: { version: string; status: string; checks: Parameters<typeof CheckList>[0]["checks"] }) {
  return (
    <>
      <div className="flex items-center gap-3">
        <span className="font-mono">{version}</span>
        <StatusBadge status={status} />
      </div>
      <section>
        <h2 className="mb-2 text-lg font-semibold">Prerelease checks</h2>
        <CheckList checks={checks} />
      </section>
    </>
  );
}

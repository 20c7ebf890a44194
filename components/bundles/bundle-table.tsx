import Link from "next/link";
import type { BundleSummary } from "@/lib/bundles/bundle-list";
import { StatusBadge } from "../ui/badges";
import { Cell, Table } from "../ui/table";

/** The bundles a person sees, by name, each linking to its page. */
export function BundleTable({ bundles }: { bundles: readonly BundleSummary[] }) {
  return (
    <Table label="Bundles" headings={["Bundle", "Team", "Latest version", "Tools", "Served"]}>
      {bundles.map((bundle) => (
        <tr key={bundle.name} className="border-b border-slate-100 align-top">
          <Cell className="min-w-40 break-words">
            <Link href={`/bundles/${bundle.name}`} className="font-medium text-indigo-700 underline">
              {bundle.title}
            </Link>
            <span className="block font-mono text-xs text-slate-600">{bundle.name}</span>
          </Cell>
          <Cell className="break-words">{bundle.teamName}</Cell>
          <Cell className="whitespace-nowrap">{bundle.latest ? <>{bundle.latest.number} <StatusBadge status={bundle.latest.status} /></> : ""}</Cell>
          <Cell>{bundle.latest?.tools ?? 0}</Cell>
          <Cell className="whitespace-nowrap">{bundle.served === null ? <span className="text-slate-600">None yet</span> : `Version ${bundle.served}`}</Cell>
        </tr>
      ))}
    </Table>
  );
}

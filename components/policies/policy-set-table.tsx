import Link from "next/link";
import type { PolicySetSummary } from "@/lib/policy/policy-sets";
import { Cell, Table } from "../ui/table";
import { utcMinute } from "./format";
import { PolicyStatusBadge } from "./policy-status";

/** Every policy set, newest first, each linking to its page. */
export function PolicySetTable({ sets }: { sets: readonly PolicySetSummary[] }) {
  return (
    <Table label="Policy sets" headings={["Set", "Status", "Description", "Author", "Created", "Decided"]}>
      {sets.map((set) => (
        <tr key={set.id} className="border-b border-slate-100 align-top">
          <Cell className="whitespace-nowrap">
            <Link href={`/policies/${set.id}`} className="font-medium text-indigo-700 underline">
              Set {set.number}
            </Link>
          </Cell>
          <Cell>
            <PolicyStatusBadge status={set.status} shadow={set.shadowSince !== null} />
          </Cell>
          <Cell className="min-w-48 break-words">{set.description || <span className="text-slate-500">None</span>}</Cell>
          <Cell>{set.author?.name ?? "Toolgate"}</Cell>
          <Cell className="whitespace-nowrap">{utcMinute(set.createdAt)}</Cell>
          <Cell>{set.decidedBy && set.decidedAt ? `${set.status === "rejected" ? "Rejected" : "Approved"} by ${set.decidedBy.name}, ${utcMinute(set.decidedAt)}` : ""}</Cell>
        </tr>
      ))}
    </Table>
  );
}

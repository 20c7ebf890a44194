import Link from "next/link";

/** The set running in shadow and how many calls it would have decided differently, with a link to it. */
export function ShadowNotice({ policySet, disagreements, hours }: { policySet: { id: string; number: number }; disagreements: number; hours: number }) {
  return (
    <p role="status" className="mb-6 rounded border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900">
      <Link href={`/policies/${policySet.id}`} className="font-medium underline">
        Policy set {policySet.number}
      </Link>{" "}
      runs in shadow: {disagreements === 0 ? "no call" : disagreements === 1 ? "1 call" : `${disagreements} calls`} in the last {hours} hours {disagreements === 1 ? "was" : "were"} decided differently from the active set.
    </p>
  );
}

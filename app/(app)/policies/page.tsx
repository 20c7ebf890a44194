import type { Metadata } from "next";
import Link from "next/link";
import { shortHash, utcMinute } from "@/components/policies/format";
import { PolicySetTable } from "@/components/policies/policy-set-table";
import { ShadowNotice } from "@/components/policies/shadow-notice";
import { WhyForm } from "@/components/policies/why-form";
import { DescriptionList } from "@/components/ui/description-list";
import { PageHeader } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { getActivePolicySet, listPolicySets, shadowDisagreements } from "@/lib/policy/policy-sets";
import { whyAction } from "./actions";

export const metadata: Metadata = { title: "Policies" };

const shadowHours = 24;

export default async function PoliciesPage() {
  const user = await requirePagePermission("policies.view");
  const [active, sets, shadow] = await Promise.all([getActivePolicySet(user), listPolicySets(user), shadowDisagreements(user, shadowHours)]);
  return (
    <>
      <PageHeader title="Policies">The Cedar policy set that decides each gateway call (allow, deny or approval), its drafts and its history.</PageHeader>
      {shadow.policySet && <ShadowNotice policySet={shadow.policySet} disagreements={shadow.disagreements} hours={shadowHours} />}
      <DescriptionList
        title="Active set"
        items={[
          ["Set", <Link key="set" href={`/policies/${active.id}`} className="font-medium text-indigo-700 underline">Set {active.number}</Link>],
          ["Hash", <span key="hash" className="font-mono" title={active.hash}>{shortHash(active.hash)}</span>],
          ["Description", active.description],
          ["Written by", active.author?.name ?? "Toolgate (generated)"],
          ["Approved by", active.decidedBy?.name ?? ""],
          ["Active since", active.activatedAt ? utcMinute(active.activatedAt) : ""],
        ]}
      >
        {can(user, "policies.author") && (
          <p className="mb-3">
            <Link href="/policies/new" className="inline-block rounded bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-700">
              New draft
            </Link>
            <span className="ml-3 text-sm text-slate-600">starts from the active set&apos;s text.</span>
          </p>
        )}
      </DescriptionList>
      <section aria-labelledby="all-sets" className="mt-8">
        <h2 id="all-sets" className="mb-2 text-lg font-semibold">
          All sets
        </h2>
        <PolicySetTable sets={sets} />
      </section>
      <section aria-labelledby="why" className="mt-8 space-y-2">
        <h2 id="why" className="text-lg font-semibold">
          Why?
        </h2>
        <p className="text-sm text-slate-600">What the active set decides for an agent calling a tool (the version pinned in its environment), and the policies that decide it.</p>
        <WhyForm action={whyAction} />
      </section>
    </>
  );
}

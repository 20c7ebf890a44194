import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";
import { shortHash, utcMinute } from "@/components/policies/format";
import { PolicyDiff } from "@/components/policies/policy-diff";
import { PolicyProblems } from "@/components/policies/policy-problems";
import { PolicySetForm } from "@/components/policies/policy-set-form";
import { PolicyStatusBadge } from "@/components/policies/policy-status";
import { ReplayPanel } from "@/components/policies/replay-panel";
import { ActionButton } from "@/components/ui/action-button";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { DescriptionList } from "@/components/ui/description-list";
import { PageHeader } from "@/components/ui/empty-state";
import { ReasonForm } from "@/components/ui/reason-form";
import { can } from "@/lib/auth/authorize";
import { requirePagePermission } from "@/lib/auth/session";
import { allowedPolicySetActions, getActivePolicySet, getPolicySet, listPolicySets } from "@/lib/policy/policy-sets";
import { latestReplay } from "@/lib/policy/replay-runs";
import { orNotFound } from "@/lib/not-found";
import {
  activatePolicySetAction,
  approvePolicySetAction,
  checkPolicyTextAction,
  rejectPolicySetAction,
  rollBackPolicySetAction,
  saveDraftAction,
  setPolicySetShadowAction,
  startReplayAction,
} from "../actions";

export const metadata: Metadata = { title: "Policy set" };

export default async function PolicySetPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePagePermission("policies.view");
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const [set, active, sets, replay] = await Promise.all([orNotFound(() => getPolicySet(user, id)), getActivePolicySet(user), listPolicySets(user), orNotFound(() => latestReplay(user, id))]);
  const basedOn = sets.find((candidate) => candidate.id === set.basedOnId);
  const may = allowedPolicySetActions(user, set);
  const fields = { id: set.id };
  const ownProposal = set.status === "proposed" && set.author?.id === user.id;
  const decision = set.decidedBy && set.decidedAt ? `${set.status === "rejected" ? "Rejected" : "Approved"} by ${set.decidedBy.name}, ${utcMinute(set.decidedAt)}` : "";
  return (
    <>
      <PageHeader title={`Policy set ${set.number}`}>
        <PolicyStatusBadge status={set.status} shadow={set.shadowSince !== null} /> <Link href="/policies" className="ml-2 text-indigo-700 underline">All policy sets</Link>
      </PageHeader>
      <DescriptionList
        items={[
          ["Hash", <span key="hash" className="break-all font-mono">{set.hash}</span>],
          ["Description", set.description],
          ["Written by", set.author?.name ?? "Toolgate (generated)"],
          ["Based on", basedOn ? <Link key="base" href={`/policies/${basedOn.id}`} className="text-indigo-700 underline">Set {basedOn.number}</Link> : ""],
          ["Proposed", set.proposedAt ? utcMinute(set.proposedAt) : ""],
          ["Decision", decision],
          ["Decision note", set.decisionReason ?? ""],
          ["Active since", set.activatedAt ? utcMinute(set.activatedAt) : ""],
          ["In shadow since", set.shadowSince ? utcMinute(set.shadowSince) : ""],
        ]}
      />

      <section aria-labelledby="set-actions" className="mt-6 space-y-4">
        <h2 id="set-actions" className="text-lg font-semibold">
          What you can do
        </h2>
        {ownProposal && (
          <p className="text-sm text-slate-700">
            {can(user, "policies.approve") ? "You wrote this set, so you cannot approve or reject it: another approver decides." : "An approver who did not write this set decides next."}
          </p>
        )}
        {set.status === "draft" && !may.edit && <p className="text-sm text-slate-700">Only its author changes and proposes a draft.</p>}
        <div className="flex flex-wrap items-start gap-4">
          {may.approve && <ActionButton action={approvePolicySetAction} fields={fields} label="Approve" variant="primary" />}
          {may.activate && (
            <ConfirmButton
              action={activatePolicySetAction}
              fields={fields}
              label="Activate"
              question={`Activate policy set ${set.number}?`}
              consequence={`It decides every gateway call from now on; set ${active.number} is superseded and can be rolled back to.`}
              variant="secondary"
            />
          )}
          {may.rollBack && (
            <ConfirmButton
              action={rollBackPolicySetAction}
              fields={fields}
              label="Roll back to this set"
              question={`Roll back to policy set ${set.number}?`}
              consequence={`It decides every gateway call again; set ${active.number} is superseded.`}
            />
          )}
          {may.shadow && (
            <ActionButton action={setPolicySetShadowAction} fields={{ ...fields, shadow: set.shadowSince ? "off" : "on" }} label={set.shadowSince ? "Stop shadow" : "Run in shadow"} />
          )}
        </div>
        {may.reject && (
          <div className="max-w-xl">
            <ReasonForm action={rejectPolicySetAction} fields={fields} label="Reject" reasonLabel="Reason for rejecting" buttons={[{ label: "Reject", variant: "danger" }]} />
          </div>
        )}
        {!Object.values(may).some(Boolean) && !ownProposal && set.status !== "draft" && <p className="text-sm text-slate-600">Nothing: this set is {set.status}.</p>}
      </section>

      <section aria-labelledby="set-text" className="mt-8 space-y-3">
        <h2 id="set-text" className="text-lg font-semibold">
          Policies
        </h2>
        {may.edit ? (
          <PolicySetForm action={saveDraftAction} check={checkPolicyTextAction} id={set.id} text={set.text} description={set.description} problems={set.problems} />
        ) : (
          <>
            <PolicyProblems problems={set.problems} />
            <pre tabIndex={0} aria-label={`Text of policy set ${set.number}`} className="max-h-[36rem] overflow-auto whitespace-pre-wrap break-words rounded border border-slate-200 bg-white p-3 font-mono text-xs">
              {set.text}
            </pre>
          </>
        )}
      </section>

      {set.id !== active.id && (
        <section aria-labelledby="set-diff" className="mt-8 space-y-2">
          <h2 id="set-diff" className="text-lg font-semibold">
            Changes from the active set {active.number} <span className="font-mono text-sm font-normal text-slate-600">({shortHash(active.hash)})</span>
          </h2>
          <PolicyDiff active={active.text} activeNumber={active.number} text={set.text} />
        </section>
      )}

      {set.id !== active.id && set.problems.length === 0 && <ReplayPanel setId={set.id} run={replay} start={startReplayAction} />}
    </>
  );
}

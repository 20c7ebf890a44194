import type { Metadata } from "next";
import { PolicySetForm } from "@/components/policies/policy-set-form";
import { PageHeader } from "@/components/ui/empty-state";
import { requirePagePermission } from "@/lib/auth/session";
import { getActivePolicySet } from "@/lib/policy/policy-sets";
import { checkPolicyTextAction, saveDraftAction } from "../actions";

export const metadata: Metadata = { title: "New policy draft" };

export default async function NewPolicyDraftPage() {
  const user = await requirePagePermission("policies.author");
  const active = await getActivePolicySet(user);
  return (
    <>
      <PageHeader title="New policy draft">Starts from the active set {active.number}. A draft changes until you propose it; then an approver who did not write it decides.</PageHeader>
      <PolicySetForm action={saveDraftAction} check={checkPolicyTextAction} basedOnId={active.id} text={active.text} description="" problems={active.problems} />
    </>
  );
}

import type { Actor } from "@/lib/auth/roles";
import { activatePolicySet, approvePolicySet, type PolicySetDetail, proposePolicySet, saveDraft } from "@/lib/policy/policy-sets";
import { makeUser } from "./factories";

/** An administrator who writes sets and an approver who approves them: two people, as the rules require. */
export async function policyPeople(): Promise<{ author: Actor; approver: Actor }> {
  return { author: await makeUser(["admin"]), approver: await makeUser(["approver"]) };
}

/** Takes a policy set's text through draft, proposal, approval and activation, as people would; answers the active set. */
export async function activatePolicyText(text: string, people?: { author: Actor; approver: Actor }, description = "Set by a test."): Promise<PolicySetDetail> {
  const { author, approver } = people ?? (await policyPeople());
  const draft = await saveDraft(author, { text, description });
  await proposePolicySet(author, draft.id);
  await approvePolicySet(approver, draft.id);
  return activatePolicySet(approver, draft.id);
}

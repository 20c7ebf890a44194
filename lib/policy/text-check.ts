import { guard } from "@/lib/auth/guard";
import type { Actor } from "@/lib/auth/roles";
import { type PolicyProblem, validatePolicySet } from "./policy-set";

// The editor's live check: the problems of a text being written, before it is saved. Only authors
// write policy sets, so only they may ask (each keystroke pause asks once).

export async function policyTextProblems(actor: Actor, text: unknown): Promise<PolicyProblem[]> {
  await guard(actor, "policies.author", { type: "policySet" });
  return validatePolicySet(text);
}

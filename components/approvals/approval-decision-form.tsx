"use client";

import { ReasonForm } from "@/components/ui/reason-form";
import type { ActionState } from "@/lib/action-state";

type Decide = (state: ActionState, form: FormData) => Promise<ActionState>;

const decisions = [
  { label: "Approve", decision: "approve" },
  { label: "Deny", decision: "deny", variant: "danger" as const },
];

/**
 * An approver's decision on one request (a promotion, an access grant): approve or deny, always with
 * a reason. `fields` names the request, e.g. { promotionId } or { grantId }. Refusals (separation of
 * duties, a request decided meanwhile) show here.
 */
export function ApprovalDecisionForm({ action, fields }: { action: Decide; fields: Record<string, string> }) {
  return <ReasonForm action={action} fields={fields} buttons={decisions} />;
}

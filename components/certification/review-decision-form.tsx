"use client";

import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { Button, FormMessage, plainOptions, RequiredNote, SelectField, TextArea, verbatimOptions } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueList, valueText } from "@/lib/action-state";
import { riskTiers } from "@/lib/catalog/schemas";
import type { RiskTier } from "@/lib/generated/prisma/client";

type Decide = (state: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  action: Decide;
  versionId: string;
  /** The tool names, shown as they are. */
  tools: string[];
  /** The owner's proposed tier (the entry's Risk tab), where the decision starts; null when none. */
  proposedRiskTier: RiskTier | null;
  /** Pre-ticked: tools whose annotations say destructive or not read-only (hints, not trusted alone). */
  suggestedApprovalTools: string[];
  failingChecks: { name: string; reasons: string[] }[];
}

/** The claiming reviewer's decision: certify (risk tier, approval marks, waivers) or reject, always with a reason. */
export function ReviewDecisionForm({ action, versionId, tools, proposedRiskTier, suggestedApprovalTools, failingChecks }: Props) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  // After a refusal the form shows what was sent (versionId is always sent); before, the starting points.
  const refused = values.versionId !== undefined;
  return (
    <form action={formAction} noValidate aria-label="Review decision" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Your decision</h2>
      <input type="hidden" name="versionId" value={versionId} />
      <RequiredNote />
      <TextArea label="Reason" name="reason" required defaultValue={valueText(values, "reason")} errors={errors.reason} />
      <div>
        <SelectField
          label="Risk tier"
          name="riskTier"
          options={plainOptions(riskTiers)}
          placeholder="Choose a tier"
          defaultValue={refused ? valueText(values, "riskTier") : (proposedRiskTier ?? "")}
          errors={errors.riskTier}
        />
        <p className="mt-1 text-xs text-slate-600">
          {proposedRiskTier ? `The owner proposed ${proposedRiskTier}.` : "The owner proposed no tier."}
        </p>
      </div>
      <CheckboxGroup
        legend="Tools that need a human approval before each call"
        name="approvalTools"
        options={verbatimOptions(tools)}
        checked={refused ? valueList(values, "approvalTools") : suggestedApprovalTools}
        errors={errors.approvalTools}
      />
      {failingChecks.length > 0 && (
        <fieldset className="space-y-3 text-sm">
          <legend className="font-medium text-slate-700">Waivers (certifying with a failing check needs one, with a reason)</legend>
          {failingChecks.map((check) => (
            <div key={check.name} className="rounded border border-amber-200 bg-amber-50 p-3">
              <label className="flex items-center gap-2 font-medium">
                <input type="checkbox" name="waive" value={check.name} defaultChecked={valueList(values, "waive").includes(check.name)} />
                Waive {check.name}
              </label>
              <p className="text-slate-700">{check.reasons.join(" ")}</p>
              <TextArea label={`Waiver reason for ${check.name}`} name={`waiver-${check.name}`} rows={2} defaultValue={valueText(values, `waiver-${check.name}`)} />
            </div>
          ))}
        </fieldset>
      )}
      <FormMessage state={state} />
      <div className="flex gap-3">
        <Button type="submit" name="decision" value="certify" disabled={pending}>
          Certify
        </Button>
        <Button type="submit" name="decision" value="reject" variant="danger" disabled={pending}>
          Reject
        </Button>
      </div>
    </form>
  );
}

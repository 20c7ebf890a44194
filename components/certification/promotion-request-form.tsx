"use client";

import { Button, FormMessage, plainOptions, SelectField, TextArea, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";

type RequestPromotion = (state: ActionState, form: FormData) => Promise<ActionState>;

/** Asks to pin a certified version in an environment, with the promotion gates filled in. */
export function PromotionRequestForm({ action, versionId, environments }: { action: RequestPromotion; versionId: string; environments: string[] }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  return (
    <form action={formAction} noValidate aria-label="Request promotion" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Request promotion</h2>
      <p className="text-sm text-slate-600">Promotion to prod waits for an approver; dev and staging take effect at once.</p>
      <input type="hidden" name="versionId" value={versionId} />
      <SelectField label="Environment" name="environment" options={plainOptions(environments)} defaultValue={valueText(values, "environment")} errors={errors.environment} />
      <TextArea label="Rollout plan" name="rolloutPlan" defaultValue={valueText(values, "rolloutPlan")} errors={errors.rolloutPlan} />
      <TextArea label="Rollback plan" name="rollbackPlan" defaultValue={valueText(values, "rollbackPlan")} errors={errors.rollbackPlan} />
      <TextArea label="Kill-switch plan" name="killSwitchPlan" defaultValue={valueText(values, "killSwitchPlan")} errors={errors.killSwitchPlan} />
      <TextField label="Dual-run window (days)" name="sunsetDays" type="number" min={0} max={365} defaultValue={valueText(values, "sunsetDays") || "14"} errors={errors.sunsetDays} />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        Request promotion
      </Button>
    </form>
  );
}

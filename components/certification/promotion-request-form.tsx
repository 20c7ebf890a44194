"use client";

import { useState } from "react";
import { Button, FormMessage, plainOptions, SelectField, TextArea, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";
import type { PlansPrefill, PromotionPlans } from "@/lib/certification/promotion-plans";

type RequestPromotion = (state: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  action: RequestPromotion;
  versionId: string;
  environments: string[];
  /** The environment chosen at first: the next one the version does not run in yet. */
  defaultEnvironment?: string;
  /** Per environment, the plans of the last promotion to the one before it. */
  prefills: Partial<Record<string, PlansPrefill>>;
}

/**
 * Asks to pin a certified version in an environment, with the promotion gates filled in. The plans start
 * from the previous environment's promotion; choosing another environment starts from its predecessor's,
 * until the person edits a plan, which is then kept.
 */
export function PromotionRequestForm({ action, versionId, environments, defaultEnvironment, prefills }: Props) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const initial = defaultEnvironment ?? environments[0] ?? "";
  // The environment whose prefill the plans show, and whether the person has edited them since.
  const [shown, setShown] = useState(initial);
  const [edited, setEdited] = useState(false);
  // After a promotion the page offers the next environment: start over from its prefill.
  const [offered, setOffered] = useState(initial);
  if (offered !== initial) {
    setOffered(initial);
    setShown(initial);
    setEdited(false);
  }
  const prefill = prefills[shown];
  const refused = state.status === "error";
  const plan = (field: keyof PromotionPlans, fallback = "") => (refused ? valueText(values, field) : prefill ? String(prefill.plans[field]) : fallback);
  const onEdit = () => setEdited(true);
  return (
    <form id="request-promotion" action={formAction} noValidate aria-label="Request promotion" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Request promotion</h2>
      <p className="text-sm text-slate-600">Promotion to prod waits for an approver; dev and staging take effect at once.</p>
      <input type="hidden" name="versionId" value={versionId} />
      <SelectField
        label="Environment"
        name="environment"
        options={plainOptions(environments)}
        defaultValue={valueText(values, "environment") || initial}
        errors={errors.environment}
        onChange={(event) => {
          if (!edited) setShown(event.target.value);
        }}
      />
      {prefill && (
        <p className="text-sm text-slate-700" data-testid="plans-prefilled">
          Prefilled from the {prefill.from.environment} promotion of <span className="font-mono">{prefill.from.version}</span>: check and edit them for this environment.
        </p>
      )}
      {/* Keyed by the environment shown, so a new choice (before any edit) starts from its own prefill. */}
      <TextArea key={`rollout-${shown}`} label="Rollout plan" name="rolloutPlan" defaultValue={plan("rolloutPlan")} errors={errors.rolloutPlan} onChange={onEdit} />
      <TextArea key={`rollback-${shown}`} label="Rollback plan" name="rollbackPlan" defaultValue={plan("rollbackPlan")} errors={errors.rollbackPlan} onChange={onEdit} />
      <TextArea key={`kill-${shown}`} label="Kill-switch plan" name="killSwitchPlan" defaultValue={plan("killSwitchPlan")} errors={errors.killSwitchPlan} onChange={onEdit} />
      <TextField
        key={`sunset-${shown}`}
        label="Dual-run window (days)"
        name="sunsetDays"
        type="number"
        min={0}
        max={365}
        defaultValue={plan("sunsetDays", "14") || "14"}
        errors={errors.sunsetDays}
        onChange={onEdit}
      />
      <FormMessage state={state} />
      <Button type="submit" disabled={pending}>
        Request promotion
      </Button>
    </form>
  );
}

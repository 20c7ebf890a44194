"use client";

import { Button, FormMessage, RequiredNote, SelectField, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, errorsUnder, valueText } from "@/lib/action-state";

type Grant = (state: ActionState, form: FormData) => Promise<ActionState>;

interface Props {
  action: Grant;
  agentId: string;
  servers: { id: string; name: string; riskTier: string | null }[];
}

/** Grants the agent a catalog server, optionally only some tools and only until a time. */
export function GrantAccessForm({ action, agentId, servers }: Props) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const options = servers.map((server) => ({ value: server.id, label: server.riskTier ? `${server.name} (${server.riskTier} risk)` : server.name }));
  return (
    <form action={formAction} noValidate aria-label="Grant access" className="space-y-3">
      <input type="hidden" name="agentId" value={agentId} />
      <p className="text-sm text-slate-600">A high- or critical-risk server needs an approver&apos;s decision before the grant takes effect.</p>
      <RequiredNote />
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="Server" name="serverId" required options={options} placeholder="Choose a server" defaultValue={valueText(values, "serverId")} errors={errors.serverId} />
        <TextField label="Tools (comma-separated; blank: all)" name="tools" defaultValue={valueText(values, "tools")} errors={errorsUnder(errors, "tools")} />
        <TextField label="Access until (UTC, optional)" name="expiresAt" type="datetime-local" defaultValue={valueText(values, "expiresAt")} errors={errors.expiresAt} />
      </div>
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Grant access
      </Button>
    </form>
  );
}

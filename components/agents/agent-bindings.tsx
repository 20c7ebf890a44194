"use client";

import Link from "next/link";
import { Badge } from "@/components/ui/badges";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { Button, FormMessage, SelectField, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";

type Act = (state: ActionState, form: FormData) => Promise<ActionState>;

export interface BindingView {
  id: string;
  kind: "client_id" | "sub";
  subject: string;
  issuer: { issuer: string; displayName: string; enabled: boolean };
}

export interface IssuerChoice {
  id: string;
  issuer: string;
  displayName: string;
  enabled: boolean;
}

export interface AgentIdentity {
  bindings: BindingView[];
  /** Every registered issuer, to bind to. */
  issuers: IssuerChoice[];
  bind: Act;
  unbind: Act;
}

/** Where trusted issuers are registered: the Identity providers tab of /admin. */
const issuersHref = "/admin?tab=identity#issuers-heading";

const kindOptions = [
  { value: "client_id", label: "client_id (the agent's OAuth client)" },
  { value: "sub", label: "sub (a service account)" },
];

function BindForm({ action, agentId, issuers }: { action: Act; agentId: string; issuers: IssuerChoice[] }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const options = issuers.map((issuer) => ({ value: issuer.id, label: issuer.enabled ? issuer.displayName : `${issuer.displayName} (disabled)` }));
  return (
    <form action={formAction} noValidate aria-label="Bind a client" className="space-y-3">
      <input type="hidden" name="agentId" value={agentId} />
      <div className="grid gap-3 sm:grid-cols-3">
        <SelectField label="Issuer" name="issuerId" options={options} defaultValue={valueText(values, "issuerId") || issuers[0]?.id} errors={errors.issuerId} />
        <SelectField label="Token claim" name="kind" options={kindOptions} defaultValue={valueText(values, "kind") || "client_id"} errors={errors.kind} />
        <TextField label="Client id or subject" name="subject" required defaultValue={valueText(values, "subject")} errors={errors.subject} />
      </div>
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        Bind
      </Button>
    </form>
  );
}

/** Which clients of the organisation's identity provider act as this agent, and the forms to bind and unbind them. */
export function AgentBindings({ agentId, agentName, identity }: { agentId: string; agentName: string; identity: AgentIdentity }) {
  if (identity.issuers.length === 0) {
    return (
      <p className="rounded border border-slate-200 bg-slate-50 p-3 text-sm text-slate-700">
        No identity provider is trusted yet, so this agent connects with API keys only.{" "}
        <Link href={issuersHref} className="font-medium text-indigo-700 underline">
          Register one under Admin → Identity providers
        </Link>
        , then bind the agent&apos;s OAuth client here.
      </p>
    );
  }
  return (
    <div className="space-y-3">
      {identity.bindings.length === 0 ? (
        <p className="text-sm text-slate-600">No client bound: a token from a trusted issuer gets 403 until its client_id or sub is bound to this agent.</p>
      ) : (
        <ul aria-label={`Token bindings of ${agentName}`} className="space-y-2">
          {identity.bindings.map((binding) => (
            <li key={binding.id} className="flex flex-wrap items-start justify-between gap-3 rounded border border-slate-200 p-3 text-sm">
              <div className="min-w-0 space-y-1">
                <p className="flex flex-wrap items-baseline gap-2">
                  <span className="font-medium">{binding.kind}</span>
                  <code className="break-all font-mono">{binding.subject}</code>
                  {!binding.issuer.enabled && <Badge tone="neutral">issuer disabled</Badge>}
                </p>
                <p className="break-all text-slate-600">
                  {binding.issuer.displayName}: <span className="font-mono">{binding.issuer.issuer}</span>
                </p>
              </div>
              <ConfirmButton
                action={identity.unbind}
                fields={{ bindingId: binding.id }}
                label="Unbind"
                formLabel={`Unbind ${binding.subject}`}
                question={`Unbind ${binding.kind} ${binding.subject}?`}
                consequence={`Its tokens no longer act as ${agentName}: the gateway answers them 403 from now on.`}
              />
            </li>
          ))}
        </ul>
      )}
      <BindForm action={identity.bind} agentId={agentId} issuers={identity.issuers} />
    </div>
  );
}

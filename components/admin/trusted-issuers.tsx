"use client";

import { Badge } from "@/components/ui/badges";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { Button, FormMessage, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, valueText } from "@/lib/action-state";

type Act = (state: ActionState, form: FormData) => Promise<ActionState>;

export interface TrustedIssuerView {
  id: string;
  issuer: string;
  displayName: string;
  jwksUri: string;
  enabled: boolean;
  /** How many agent bindings name it. */
  bindings: number;
}

export interface TrustedIssuerActions {
  register: Act;
  setEnabled: Act;
  remove: Act;
}

/** Where the outbound rule is shown and changed: its tab of /admin. */
export const outboundSectionHref = "/admin?tab=outbound#outbound-heading";

function RegisterIssuerForm({ action }: { action: Act }) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  const outbound = errors.outbound;
  return (
    <form action={formAction} noValidate aria-label="Register issuer" className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Issuer URL" name="issuer" required placeholder="https://login.example.com/realms/agents" defaultValue={valueText(values, "issuer")} errors={errors.issuer} />
        <TextField label="Display name (optional)" name="displayName" defaultValue={valueText(values, "displayName")} errors={errors.displayName} />
      </div>
      <FormMessage state={state} />
      {outbound && (
        <p className="text-sm text-red-700">
          {outbound.join(" ")}{" "}
          <a href={outboundSectionHref} className="font-medium text-indigo-700 underline">
            Change it under Outbound connections
          </a>
          .
        </p>
      )}
      <Button type="submit" disabled={pending}>
        {pending ? "Discovering…" : "Register issuer"}
      </Button>
    </form>
  );
}

function IssuerItem({ issuer, actions }: { issuer: TrustedIssuerView; actions: TrustedIssuerActions }) {
  const bound = `${issuer.bindings} agent binding${issuer.bindings === 1 ? "" : "s"}`;
  return (
    <li aria-label={`Issuer ${issuer.displayName}`} className="space-y-2 rounded border border-slate-200 p-3 text-sm">
      <p className="flex flex-wrap items-baseline gap-2">
        <span className="font-semibold">{issuer.displayName}</span>
        <Badge tone={issuer.enabled ? "good" : "neutral"}>{issuer.enabled ? "enabled" : "disabled"}</Badge>
        <span className="text-slate-600">{bound}</span>
      </p>
      <p className="break-all font-mono">{issuer.issuer}</p>
      <p className="break-all text-slate-600">
        Keys: <span className="font-mono">{issuer.jwksUri}</span>
      </p>
      <div className="flex flex-wrap items-start gap-3">
        <ConfirmButton
          action={actions.setEnabled}
          fields={{ issuerId: issuer.id, enabled: String(!issuer.enabled) }}
          label={issuer.enabled ? "Disable issuer" : "Enable issuer"}
          formLabel={`${issuer.enabled ? "Disable" : "Enable"} ${issuer.displayName}`}
          question={issuer.enabled ? `Disable ${issuer.displayName}?` : `Enable ${issuer.displayName}?`}
          consequence={issuer.enabled ? `Its tokens are refused at once; ${bound} stay, for when it is enabled again.` : `Tokens of its ${bound} are accepted again.`}
          reasonLabel={issuer.enabled ? "Reason for disabling" : "Reason for enabling"}
          variant={issuer.enabled ? "danger" : "secondary"}
        />
        <ConfirmButton
          action={actions.remove}
          fields={{ issuerId: issuer.id }}
          label="Remove issuer"
          formLabel={`Remove ${issuer.displayName}`}
          question={`Remove ${issuer.displayName}?`}
          consequence={`Its tokens are refused at once and its ${bound} are deleted; registering it again starts with none.`}
        />
      </div>
    </li>
  );
}

/**
 * The identity providers whose access tokens the gateway accepts (lib/identity/issuers.ts): register one by
 * its issuer URL, see each one's state, disable, enable or remove it after a confirmation.
 */
export function TrustedIssuers({ issuers, outboundRule, actions }: { issuers: TrustedIssuerView[]; outboundRule: string; actions: TrustedIssuerActions }) {
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="issuers-heading">
      <h2 id="issuers-heading" className="text-lg font-semibold">
        Trusted issuers ({issuers.length})
      </h2>
      <p className="text-sm text-slate-600">
        Identity providers whose OAuth access tokens agents may present at the gateway instead of an API key. Toolgate reads the issuer&apos;s metadata
        (RFC 8414 or OpenID discovery) to find its keys, through the outbound rule ({outboundRule}; see{" "}
        <a href={outboundSectionHref} className="text-indigo-700 underline">
          Outbound connections
        </a>
        ). Then bind each agent to its client on the Agents page.
      </p>
      <RegisterIssuerForm action={actions.register} />
      {issuers.length === 0 ? (
        <p className="text-sm text-slate-600">No issuer yet: agents connect with API keys only.</p>
      ) : (
        <ul aria-label="Trusted issuers" className="space-y-3">
          {issuers.map((issuer) => (
            <IssuerItem key={issuer.id} issuer={issuer} actions={actions} />
          ))}
        </ul>
      )}
    </section>
  );
}

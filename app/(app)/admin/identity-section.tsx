import { TrustedIssuers } from "@/components/admin/trusted-issuers";
import type { CurrentUser } from "@/lib/auth/session";
import { listIssuers } from "@/lib/identity/issuers";
import { mayConnectTo, outboundRule } from "@/lib/settings/outbound";
import { registerIssuerAction, removeIssuerAction, setIssuerEnabledAction } from "./identity-actions";

const actions = { register: registerIssuerAction, setEnabled: setIssuerEnabledAction, remove: removeIssuerAction };

/** The trusted issuers of /admin, with what they need loaded; the page shows it to those who may manage identity. */
export async function IdentitySection({ actor }: { actor: CurrentUser }) {
  const [issuers, rule] = await Promise.all([listIssuers(actor), outboundRule()]);
  const views = issuers.map(({ _count, ...issuer }) => ({ id: issuer.id, issuer: issuer.issuer, displayName: issuer.displayName, jwksUri: issuer.jwksUri, enabled: issuer.enabled, bindings: _count.bindings }));
  return <TrustedIssuers issuers={views} outboundRule={mayConnectTo(rule.allow)} actions={actions} />;
}

"use server";

import { formFields } from "@/lib/action-state";
import { formAction } from "@/lib/actor-action";
import { ValidationError } from "@/lib/errors";
import { registerIssuer, removeIssuer, setIssuerEnabled } from "@/lib/identity/issuers";
import { mayConnectTo, outboundRule } from "@/lib/settings/outbound";

// Trusted issuers on /admin; lib/identity/issuers.ts checks identity.manage, discovers and audits.

const revalidate = ["/admin", "/agents"];

/** The outbound rule in force, in the words of the Outbound connections section, for a refused discovery. */
async function ruleInForce(): Promise<string> {
  const rule = await outboundRule();
  return `The outbound rule in force: ${mayConnectTo(rule.allow)} (${rule.source === "default" ? "the default, because " : ""}${rule.why}).`;
}

export const registerIssuerAction = formAction(async (actor, form) => {
  try {
    const issuer = await registerIssuer(actor, formFields(form, "issuer", "displayName"));
    return { message: `Registered ${issuer.issuer}: its tokens are accepted once an agent is bound to one of its clients.` };
  } catch (error) {
    // A refusal of the address itself (not of what was typed) comes from the outbound rule: name the rule,
    // and the form links to where it is changed.
    if (error instanceof ValidationError && Object.keys(error.fieldErrors).length === 0) {
      throw new ValidationError(error.message, { outbound: [await ruleInForce()] });
    }
    throw error;
  }
}, { echo: true, revalidate });

export const setIssuerEnabledAction = formAction(async (actor, form) => {
  const enabled = form.get("enabled") === "true";
  await setIssuerEnabled(actor, { ...formFields(form, "issuerId", "reason"), enabled });
  return { message: enabled ? "Enabled: its tokens are accepted again." : "Disabled: its tokens are refused from now on." };
}, { echo: true, revalidate });

export const removeIssuerAction = formAction(async (actor, form) => {
  await removeIssuer(actor, formFields(form, "issuerId"));
  return { message: "Removed, with its agent bindings." };
}, { revalidate });

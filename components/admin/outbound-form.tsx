"use client";

import { useActionState } from "react";
import { Button, FormMessage, TextArea } from "@/components/ui/form-fields";
import { type ActionState, idle, valueText } from "@/lib/action-state";

type SetOutbound = (state: ActionState, form: FormData) => Promise<ActionState>;

/** The rule in force, as the page shows it (lib/settings/outbound.ts, outboundRule). */
export interface OutboundRuleView {
  source: "environment" | "administrator" | "default";
  /** As people write them: "loopback", "10.0.0.0/8". */
  entries: string[];
  why: string;
  /** ISO time an administrator set it. */
  updatedAt?: string;
  /** What in the rule deserves a second look, e.g. a range holding the cloud metadata address. */
  warnings: string[];
}

const sourceLine = {
  default: (rule: OutboundRuleView) => `The default, because ${rule.why}.`,
  administrator: (rule: OutboundRuleView) => `Set by an administrator${rule.updatedAt ? ` on ${rule.updatedAt.slice(0, 16).replace("T", " ")} UTC` : ""}.`,
  environment: () => "Fixed by TOOLGATE_OUTBOUND_ALLOW on the server, which wins over this page: change or unset the variable and restart Toolgate to change it.",
};

/** The outbound rule on /admin: what is allowed and why, what allowing more exposes, and the form to change it. */
export function OutboundSection({ rule, action }: { rule: OutboundRuleView; action: SetOutbound }) {
  const [state, formAction, pending] = useActionState(action, idle);
  const fixed = rule.source === "environment";
  const errors = state.status === "error" ? (state.fieldErrors.allow ?? state.fieldErrors.form) : undefined;
  const typed = state.status === "error" && state.values ? valueText(state.values, "allow") : rule.entries.join(", ");
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-4 sm:p-6" aria-labelledby="outbound-heading">
      <h2 id="outbound-heading" className="text-lg font-semibold">
        Outbound connections
      </h2>
      <p className="text-sm text-slate-600">
        Toolgate connects to the MCP servers people register: when it imports their tools and when the gateway forwards an agent&apos;s calls. Public
        addresses are always allowed; a private or loopback address only when its range is listed here.
      </p>
      <div className="rounded border border-slate-200 bg-slate-50 p-3 text-sm">
        <p>
          <span className="font-medium">In force: </span>
          {rule.entries.length ? rule.entries.join(", ") : "no private range"}, and public addresses.
        </p>
        <p className="text-slate-600">{sourceLine[rule.source](rule)}</p>
        {rule.warnings.map((warning) => (
          <p key={warning} className="mt-1 text-amber-800">
            {warning}
          </p>
        ))}
      </div>
      <details className="text-sm text-slate-700">
        <summary className="cursor-pointer font-medium">What allowing a range exposes</summary>
        <div className="mt-2 space-y-2">
          <p>
            Whoever may register a server can make Toolgate send requests to any address in an allowed range, from Toolgate&apos;s own machine, and
            read the answers back as tools and error messages: server-side request forgery (SSRF). Allow the narrowest range that holds your MCP
            servers (one host is a /32).
          </p>
          <ul className="list-disc space-y-1 pl-5">
            <li>
              <strong>loopback</strong> (127.0.0.0/8, ::1/128) reaches services on Toolgate&apos;s own machine: its database, its internal ports, admin
              consoles that listen on localhost only. Right for a trial on your own computer; on a shared server, only if you trust everyone who may
              register servers.
            </li>
            <li>
              <strong>Private networks</strong> (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fd00::/8) reach internal APIs, databases and dashboards that
              trust anything inside the network.
            </li>
            <li>
              <strong>Link-local</strong> (169.254.0.0/16) holds the cloud metadata address 169.254.169.254, which hands out the machine&apos;s cloud
              credentials: never allow it.
            </li>
          </ul>
          <p>
            Either way Toolgate checks every address a name resolves to when it connects, and does not follow redirects. Changes apply to the next
            import and the gateway&apos;s next connection, and are audited.
          </p>
        </div>
      </details>
      <form action={formAction} noValidate aria-label="Outbound rule" className="space-y-3">
        <TextArea
          label="Allowed private ranges"
          name="allow"
          id="outbound-allow"
          rows={2}
          key={fixed ? "fixed" : typed}
          defaultValue={typed}
          readOnly={fixed}
          errors={errors}
          aria-describedby={errors ? "allow-error" : "allow-help"}
          spellCheck={false}
        />
        <p id="allow-help" className="text-xs text-slate-600">
          Separated by commas, spaces or lines: CIDR ranges such as 10.0.0.0/8 or fd00::/8, or <code>loopback</code>. Empty: no private range.
        </p>
        {!fixed && (
          <div className="flex flex-wrap items-center gap-3">
            <Button type="submit" name="intent" value="save" variant="secondary" disabled={pending}>
              Save
            </Button>
            {rule.source === "administrator" && (
              <Button type="submit" name="intent" value="reset" variant="secondary" disabled={pending}>
                Use the default
              </Button>
            )}
            <FormMessage state={state} />
          </div>
        )}
      </form>
    </section>
  );
}

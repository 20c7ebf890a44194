"use client";

import { type ReactNode, useActionState } from "react";
import { Button, FieldErrors, FormMessage, TextField } from "@/components/ui/form-fields";
import { type ActionState, type FormValues, idle, valueText } from "@/lib/action-state";
import { MiB } from "@/lib/evidence/file-size";
import type { Policies, PolicyKey } from "@/lib/settings/policy";

type SetPolicy = (state: ActionState, form: FormData) => Promise<ActionState>;

/** A policy's fields, given the messages for this policy, what was typed after a refusal, and the values in force. */
type Fields = (errors: string[] | undefined, echoed: FormValues | null, policies: Policies) => ReactNode;

interface PolicyView {
  key: PolicyKey;
  title: string;
  description: string;
  fields: Fields;
}

interface FrameProps {
  action: SetPolicy;
  view: PolicyView;
  policies: Policies;
}

/** One policy's own small form, so a mistake in one never holds back another. */
function PolicyFrame({ action, view: { key, title, description, fields }, policies }: FrameProps) {
  const [state, formAction, pending] = useActionState(action, idle);
  const errors = state.status === "error" ? (state.fieldErrors[key] ?? state.fieldErrors.key) : undefined;
  const echoed = state.status === "error" ? (state.values ?? {}) : null;
  return (
    <form action={formAction} noValidate aria-label={title} className="space-y-3 rounded border border-slate-200 p-4">
      <h3 className="font-medium">{title}</h3>
      <p className="text-sm text-slate-600">{description}</p>
      <input type="hidden" name="key" value={key} />
      {fields(errors, echoed, policies)}
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="secondary" disabled={pending}>
          Save
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** The administrator's policy settings, each prefilled with the value in force. */
export function PolicyForms({ action, policies }: { action: SetPolicy; policies: Policies }) {
  return (
    <div className="space-y-4">
      {policyViews.map((view) => (
        <PolicyFrame key={view.key} action={action} view={view} policies={policies} />
      ))}
    </div>
  );
}

const shown = (echoed: FormValues | null, name: string, current: string) => (echoed ? valueText(echoed, name) : current);

const capitalized = (word: string) => word[0]!.toUpperCase() + word.slice(1);

interface TextBox {
  label: string;
  name: string;
  placeholder?: string;
  /** Set for a number, whose box is narrow. */
  inputMode?: "decimal" | "numeric";
  /** The value in force, as it is typed. */
  current: (policies: Policies) => string;
}

/** A policy typed into one text box. */
function textBox({ label, name, placeholder, inputMode, current }: TextBox): Fields {
  return function textBoxFields(errors, echoed, policies) {
    // A number has no empty setting; a list may be empty.
    const box = (
      <TextField
        label={label}
        name={name}
        placeholder={placeholder}
        inputMode={inputMode}
        required={Boolean(inputMode)}
        defaultValue={shown(echoed, name, current(policies))}
        errors={errors}
      />
    );
    return inputMode ? <div className="w-48">{box}</div> : box;
  };
}

const complianceFields: Fields = (errors, echoed, policies) => {
  const compliance = policies["certification.complianceByClassification"];
  const classifications = Object.keys(compliance) as (keyof typeof compliance)[];
  return (
    <fieldset aria-describedby={errors ? "compliance-error" : undefined} className="space-y-3">
      <legend className="sr-only">Frameworks per classification</legend>
      <div className="grid gap-3 sm:grid-cols-2">
        {classifications.map((classification) => (
          <TextField
            key={classification}
            label={capitalized(classification)}
            name={classification}
            defaultValue={shown(echoed, classification, compliance[classification].join(", "))}
          />
        ))}
      </div>
      <FieldErrors id="compliance-error" errors={errors} />
    </fieldset>
  );
};

const anonymousReadField: Fields = (errors, echoed, policies) => (
  <div className="text-sm">
    <label className="flex items-center gap-2">
      <input
        type="checkbox"
        name="anonymousRead"
        defaultChecked={echoed ? valueText(echoed, "anonymousRead") === "on" : policies["registry.anonymousRead"]}
        aria-invalid={errors ? true : undefined}
        aria-describedby={errors ? "anonymous-read-error" : undefined}
      />
      Anyone may read the registry API without an agent key
    </label>
    <FieldErrors id="anonymous-read-error" errors={errors} />
  </div>
);

const wholeNumberPolicies = [
  { key: "approvals.waitSeconds", title: "Approval wait", unit: "seconds", description: "How long a call that needs approval waits for a decision before it answers that the request is still pending." },
  { key: "approvals.requestTtlMinutes", title: "Request lifetime", unit: "minutes", description: "How long an approval request can be decided before it expires." },
  { key: "approvals.validMinutes", title: "Approval lifetime", unit: "minutes", description: "How long an approval, once given, can be used (once) by a repeat of the same call." },
  { key: "approvals.maxPendingPerAgent", title: "Waiting requests per agent", unit: "requests", description: "How many approval requests one agent may have waiting at once; further calls that need approval are refused, and audited, until some are decided or expire." },
  { key: "approvals.escalateAfterMinutes", title: "Escalation delay", unit: "minutes", description: "A request undecided for this long is flagged as escalated and shown to administrators." },
  { key: "audit.retentionDays", title: "Audit retention", unit: "days", description: "How far back the audit trail is kept: older events are deleted behind a signed checkpoint; a policy replay may look back at most this far." },
] as const satisfies readonly { key: PolicyKey; title: string; unit: string; description: string }[];

// In the order the admin page shows them.
const policyViews: PolicyView[] = [
  {
    key: "certification.requiredEvalMetrics",
    title: "Required eval metrics",
    description: "Comma-separated metric names every version needs a passing eval result for. Empty: at least one eval, and every eval passes.",
    fields: textBox({ label: "Metrics", name: "metrics", placeholder: "accuracy, toxicity", current: (policies) => policies["certification.requiredEvalMetrics"].join(", ") }),
  },
  {
    key: "certification.complianceByClassification",
    title: "Compliance attestations by data classification",
    description: "Comma-separated framework names whose attestation a server of each classification must have attached. Empty: none required.",
    fields: complianceFields,
  },
  {
    key: "evidence.maxUploadBytes",
    title: "Evidence upload limit",
    description: "The largest evidence file accepted, in megabytes (1 MB = 1,048,576 bytes); at most 50.",
    fields: textBox({
      label: "Limit (MB)",
      name: "maxUploadMegabytes",
      inputMode: "decimal",
      current: (policies) => String(Math.round((policies["evidence.maxUploadBytes"] / MiB) * 100) / 100),
    }),
  },
  {
    key: "registry.anonymousRead",
    title: "Anonymous registry read",
    description: "Off: hosts need an agent key to read the registry API. On: anyone who can reach Toolgate may list its certified servers.",
    fields: anonymousReadField,
  },
  ...wholeNumberPolicies.map(({ key, title, unit, description }) => ({
    key,
    title,
    description,
    fields: textBox({ label: `${title} (${unit})`, name: "value", inputMode: "numeric", current: (policies) => String(policies[key]) }),
  })),
  {
    key: "dataHandling.sensitiveArgumentFields",
    title: "Sensitive argument fields",
    description:
      "Comma-separated field names whose values approvers never see, for every server (each server's owner adds more for their server under data handling): they show masked, at any depth, in any letter case.",
    fields: textBox({ label: "Fields", name: "fields", current: (policies) => policies["dataHandling.sensitiveArgumentFields"].join(", ") }),
  },
];

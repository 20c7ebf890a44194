import type { ReactNode } from "react";
import { CheckboxGroup } from "@/components/ui/checkbox-group";
import { plainOptions, RequiredNote, SelectField, TextArea, TextField } from "@/components/ui/form-fields";
import { errorsUnder, type FormValues, valueList, valueText } from "@/lib/action-state";
import { classifications, environments, riskTiers, upstreamAuthModes } from "@/lib/catalog/schemas";

// The fields of a catalog entry's details, shared by the registration wizard and the edit page. Field
// names match lib/catalog/schemas.ts; app/(app)/catalog/form-data.ts turns them back into its input.

interface Props {
  values: FormValues;
  errors: Record<string, string[]>;
  teams: { id: string; name: string }[];
  /** The tools of the version at hand, for the authority boundaries. */
  tools: { name: string }[];
  /** Fields that only registration has, shown first (the name). */
  registrationExtra?: ReactNode;
}

const upstreamAuthLabels: Record<(typeof upstreamAuthModes)[number], string> = {
  static: "Static: the stored credential header",
  minted: "Minted: a short-lived token per request",
};

/** A titled group of a catalog form's fields. */
export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <legend className="px-1 text-lg font-semibold">{title}</legend>
      {children}
    </fieldset>
  );
}

export function ServerDetailsFields({ values, errors, teams, tools, registrationExtra }: Props) {
  const text = (key: string) => valueText(values, key);
  // A plain field: its name, what it starts with, and its messages.
  const field = (name: string) => ({ name, defaultValue: text(name), errors: errorsUnder(errors, name) });
  const toolOptions = tools.map((tool) => ({ value: tool.name, label: tool.name }));
  return (
    <>
      <Section title="Registration">
        <RequiredNote />
        {registrationExtra}
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Title" required {...field("title")} />
          <SelectField
            label="Owning team"
            required
            placeholder="Choose a team"
            options={teams.map((team) => ({ value: team.id, label: team.name }))}
            {...field("teamId")}
          />
        </div>
        <TextArea label="Purpose" required {...field("purpose")} />
        <div className="grid gap-4 sm:grid-cols-2">
          <CheckboxGroup
            legend="Environments"
            required
            name="environments"
            options={plainOptions(environments)}
            checked={valueList(values, "environments")}
            errors={errorsUnder(errors, "environments")}
          />
          <SelectField
            label="Data classification"
            required
            placeholder="Choose a classification"
            options={plainOptions(classifications)}
            {...field("classification")}
          />
        </div>
      </Section>
      <Section title="Upstream authentication">
        <SelectField
          label="How Toolgate authenticates to the server"
          options={upstreamAuthModes.map((mode) => ({ value: mode, label: upstreamAuthLabels[mode] }))}
          {...field("upstreamAuth")}
          defaultValue={text("upstreamAuth") || "static"}
        />
        <p className="text-sm text-slate-600">
          Minted: each request carries a token Toolgate signs for 60 seconds, naming the agent, the tool and a hash of the arguments; the
          server verifies it with the keys at /.well-known/jwks.json. The stored credential header is then not sent.
        </p>
      </Section>
      <Section title="Data handling">
        <div className="grid gap-4 sm:grid-cols-2">
          <TextArea label="Minimisation" {...field("dataMinimisation")} />
          <TextArea label="Masking" {...field("dataMasking")} />
          <TextArea label="Retention" {...field("dataRetention")} />
          <TextArea label="Consent" {...field("dataConsent")} />
        </div>
        <TextField
          label="Sensitive fields (comma-separated argument names)"
          placeholder="ssn, customer.email"
          {...field("sensitiveFields")}
        />
      </Section>
      <Section title="Risk posture">
        <TextArea label="Threat model" rows={5} {...field("threatModel")} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextArea label="Risk appetite" {...field("riskAppetite")} />
          <SelectField
            label="Proposed risk tier (optional)"
            placeholder="Not set: reviewers decide"
            options={plainOptions(riskTiers)}
            {...field("riskTier")}
          />
        </div>
      </Section>
      <Section title="Authority boundaries">
        <p className="text-sm text-slate-600">
          Tick the tools that need a human approval before each call, per environment; agents call the others on their own.
        </p>
        {toolOptions.length === 0 ? (
          <p className="text-sm text-slate-600">The server declares no tools.</p>
        ) : (
          environments.map((environment) => (
            <CheckboxGroup
              key={environment}
              legend={`Needs approval in ${environment}`}
              name={`approvalTools.${environment}`}
              options={toolOptions}
              checked={valueList(values, `approvalTools.${environment}`)}
              errors={errorsUnder(errors, `approvalTools.${environment}`)}
            />
          ))
        )}
      </Section>
    </>
  );
}

/** A version's own fields; `errorPrefix` is "version." where they sit inside a registration. */
export function VersionFields({ values, errors, errorPrefix = "" }: { values: FormValues; errors: Record<string, string[]>; errorPrefix?: string }) {
  const field = (name: string) => ({ name, defaultValue: valueText(values, name), errors: errorsUnder(errors, errorPrefix + name) });
  return (
    <>
      <TextField label="Version" required {...field("version")} />
      <TextArea label="Mitigations" {...field("mitigations")} />
      <TextArea label="Dependencies (optional, one name@version a line)" placeholder={"postgres@16.4\n@acme/crm-sdk@2.1.0"} {...field("dependencies")} />
    </>
  );
}

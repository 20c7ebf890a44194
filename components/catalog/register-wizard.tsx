"use client";

import { useActionState, useState } from "react";
import { Button, FormMessage, RequiredNote, SubmitButton, TextField } from "@/components/ui/form-fields";
import { type ActionState, type FormValues, idle, valueText } from "@/lib/action-state";
import type { previewImport } from "@/lib/catalog/register";
import { DeclaredCapabilities, needsApprovalByDefault } from "./declared-capabilities";
import { Section, ServerDetailsFields, VersionFields } from "./server-details-fields";

export type ImportPreview = Awaited<ReturnType<typeof previewImport>>;
type Action<T = undefined> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;
type Teams = { id: string; name: string }[];

const blankTarget = { endpointUrl: "", credentialHeader: "", credentialValue: "" };
type Target = typeof blankTarget;

/** What step two starts from: the server's own title, version 1.0.0, and risky tools gated in prod. */
function startingValues(preview: ImportPreview, teams: Teams): FormValues {
  return {
    title: preview.serverInfo.title ?? "",
    teamId: teams.length === 1 ? teams[0]!.id : "",
    version: "1.0.0",
    "approvalTools.prod": preview.tools.filter(needsApprovalByDefault).map((tool) => tool.name),
  };
}

function Steps({ current }: { current: 1 | 2 }) {
  const steps = ["Import from the live server", "Describe and save a draft"];
  return (
    <ol className="mb-6 flex gap-6 text-sm">
      {steps.map((label, index) => (
        <li
          key={label}
          aria-current={current === index + 1 ? "step" : undefined}
          className={current === index + 1 ? "font-semibold text-indigo-800" : "text-slate-500"}
        >
          {index + 1}. {label}
        </li>
      ))}
    </ol>
  );
}

/** Registration in two steps on one page: import what the live server declares, then describe it. */
export function RegisterWizard({ teams, previewImport, register }: { teams: Teams; previewImport: Action<ImportPreview>; register: Action }) {
  // The connection fields are controlled so they survive React's form reset and feed step two.
  const [target, setTarget] = useState(blankTarget);
  const [previewState, previewAction, importing] = useActionState(previewImport, idle as ActionState<ImportPreview>);
  // "Change server" dismisses this import; the next import is a new state object and shows again.
  const [dismissed, setDismissed] = useState<ActionState<ImportPreview>>();
  const preview = previewState.status === "ok" && previewState !== dismissed ? previewState.data : undefined;
  const errors = previewState.status === "error" ? previewState.fieldErrors : {};
  const bind = (name: keyof Target, errorKey: string = name) => ({
    name,
    value: target[name],
    onChange: (event: { target: { value: string } }) => setTarget({ ...target, [name]: event.target.value }),
    errors: errors[errorKey],
  });

  if (preview) {
    return (
      <>
        <Steps current={2} />
        <div className="mb-6 flex flex-wrap items-center gap-4 rounded-lg border border-slate-200 bg-white p-4 text-sm">
          <FormMessage state={previewState} />
          <span className="break-all font-mono text-slate-600">{target.endpointUrl}</span>
          <Button type="button" variant="secondary" onClick={() => setDismissed(previewState)}>
            Change server
          </Button>
        </div>
        <section className="mb-8">
          <DeclaredCapabilities tools={preview.tools} resources={preview.resources} resourceTemplates={preview.resourceTemplates} prompts={preview.prompts} />
        </section>
        <RegistrationForm preview={preview} target={target} teams={teams} register={register} />
      </>
    );
  }
  return (
    <>
      <Steps current={1} />
      <form
        action={previewAction}
        noValidate
        aria-label="Import from server"
        className="space-y-4 rounded-lg border border-slate-200 bg-white p-6"
      >
        <p className="text-sm text-slate-600">
          Toolgate connects to the server over Streamable HTTP and reads the tools, resources and prompts it declares. Nothing is saved yet.
        </p>
        <RequiredNote />
        <TextField label="Streamable HTTP URL" type="url" required placeholder="https://mcp.example.com/mcp" {...bind("endpointUrl")} />
        <div className="grid gap-4 sm:grid-cols-2">
          <TextField label="Credential header name (optional)" placeholder="Authorization" {...bind("credentialHeader", "credential.header")} />
          <TextField
            label="Credential header value (optional)"
            type="password"
            autoComplete="off"
            {...bind("credentialValue", "credential.value")}
          />
        </div>
        <FormMessage state={previewState.status === "error" ? previewState : idle} />
        <SubmitButton pending={importing} pendingLabel="Importing…">
          Import
        </SubmitButton>
      </form>
    </>
  );
}

function RegistrationForm({ preview, target, teams, register }: { preview: ImportPreview; target: Target; teams: Teams; register: Action }) {
  const [state, action, saving] = useActionState(register, idle);
  const errors = state.status === "error" ? state.fieldErrors : {};
  const values = state.status === "error" ? (state.values ?? {}) : startingValues(preview, teams);
  return (
    <form action={action} noValidate aria-label="Register server" className="space-y-6">
      {Object.entries(target).map(([name, value]) => (
        <input key={name} type="hidden" name={name} value={value} />
      ))}
      <ServerDetailsFields
        values={values}
        errors={errors}
        teams={teams}
        tools={preview.tools}
        registrationExtra={<TextField label="Name" name="name" required placeholder="com.example/crm" defaultValue={valueText(values, "name")} errors={errors.name} />}
      />
      <Section title="First version">
        <VersionFields values={values} errors={errors} errorPrefix="version." />
      </Section>
      <FormMessage state={state} />
      <SubmitButton pending={saving} pendingLabel="Saving…">
        Save draft
      </SubmitButton>
    </form>
  );
}

"use client";

import { type ChangeEvent, type FormEvent, useState } from "react";
import { FormMessage, type Option, SelectField, SubmitButton, TextArea, TextField } from "@/components/ui/form-fields";
import { useFormAction } from "@/components/ui/use-form-action";
import { type ActionState, type FormValues, valueText } from "@/lib/action-state";
import { fileTooLarge, formatBytes } from "@/lib/evidence/file-size";
import type { EvidenceKind as Kind } from "@/lib/generated/prisma/client";

type AddEvidence = (state: ActionState, form: FormData) => Promise<ActionState>;
type Errors = Record<string, string[]>;

interface Props {
  action: AddEvidence;
  versionId: string;
  version: string;
  /** Every kind of evidence with its label (from lib/evidence/records, which the browser need not load). */
  kinds: readonly Option[];
  /** The evidence.maxUploadBytes policy, so an oversized file is refused before it is sent. */
  maxUploadBytes: number;
}

/** Which kinds take a file, and what it is for; the others are typed in. */
const fileHints: Partial<Record<Kind, { hint: string; accept?: string }>> = {
  red_team_report: { hint: "Optional: the full report." },
  security_scan: { hint: "A SARIF file, from which Toolgate counts the findings; without one, type the counts below.", accept: ".sarif,.json,application/json" },
  sbom: { hint: "A CycloneDX JSON file.", accept: ".json,.cdx.json,application/json" },
  audit_artifact: { hint: "The artifact itself." },
};

function KindFields({ kind, values, errors }: { kind: Kind; values: FormValues; errors: Errors }) {
  const field = (name: string) => ({ name, defaultValue: valueText(values, name), errors: errors[name] });
  switch (kind) {
    case "eval_result":
      return (
        <>
          <TextField label="Metric" placeholder="accuracy" {...field("metric")} />
          <div className="grid gap-4 sm:grid-cols-3">
            <TextField label="Score" inputMode="decimal" {...field("score")} />
            <TextField label="Threshold" inputMode="decimal" {...field("threshold")} />
            <SelectField
              label="Direction"
              options={[
                { value: "higher-is-better", label: "Higher is better" },
                { value: "lower-is-better", label: "Lower is better" },
              ]}
              {...field("direction")}
            />
          </div>
        </>
      );
    case "red_team_report":
      return (
        <>
          <SelectField label="Outcome" options={[{ value: "pass", label: "Pass" }, { value: "fail", label: "Fail" }]} placeholder="Choose an outcome" {...field("outcome")} />
          <TextArea label="Summary" {...field("summary")} />
        </>
      );
    case "security_scan":
      return (
        <fieldset className="space-y-3">
          <legend className="text-sm font-medium text-slate-700">Counts (only without a SARIF file)</legend>
          <TextField label="Tool" placeholder="semgrep" {...field("tool")} />
          <div className="grid gap-4 sm:grid-cols-4">
            {(["critical", "high", "medium", "low"] as const).map((severity) => (
              <TextField
                key={severity}
                label={severity[0]!.toUpperCase() + severity.slice(1)}
                type="number"
                min={0}
                step={1}
                {...field(severity)}
                defaultValue={valueText(values, severity) || "0"}
              />
            ))}
          </div>
        </fieldset>
      );
    case "compliance_attestation":
      return (
        <>
          <TextField label="Framework" placeholder="SOC 2" {...field("framework")} />
          <TextArea label="Scope" rows={2} {...field("scope")} />
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField label="Issuer (optional)" {...field("issuer")} />
            <TextField label="Valid until (optional)" type="date" {...field("validUntil")} />
          </div>
        </>
      );
    case "sbom":
      return null;
    case "approval":
      return (
        <>
          <TextField label="Approver" {...field("approver")} />
          <SelectField label="Decision" options={[{ value: "approved", label: "Approved" }, { value: "denied", label: "Denied" }]} placeholder="Choose a decision" {...field("decision")} />
          <TextArea label="Note (optional)" {...field("note")} />
        </>
      );
    case "audit_artifact":
      return <TextArea label="Description" {...field("description")} />;
  }
}

/** Adds one item of evidence to a version: the chosen kind's fields only, and a file where the kind takes one. */
export function AddEvidenceForm({ action, versionId, version, kinds, maxUploadBytes }: Props) {
  const { state, formAction, pending, errors, values } = useFormAction(action);
  // The kind the form starts from: the one a refused form sent (echoed back), else the first. After every
  // answer the select is reset to it (React resets the form), so the fields shown follow it too.
  const sent = valueText(values, "kind");
  const start = (kinds.some((option) => option.value === sent) ? sent : "eval_result") as Kind;
  // A kind chosen since the last answer; a newer answer starts over from `start`.
  const [choice, setChoice] = useState<{ kind: Kind; after: ActionState } | null>(null);
  const kind = choice?.after === state ? choice.kind : start;
  // The browser's own size check: an oversized file is never sent.
  const [fileError, setFileError] = useState<string | null>(null);
  const fileErrors = fileError ? [fileError] : errors.file;
  const file = fileHints[kind];

  const checkSize = (input: HTMLInputElement | null) => {
    const chosen = input?.files?.[0];
    const problem = chosen ? fileTooLarge(chosen.size, maxUploadBytes) : null;
    setFileError(problem);
    return problem === null;
  };
  const onFileChange = (event: ChangeEvent<HTMLInputElement>) => checkSize(event.currentTarget);
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    const input = event.currentTarget.elements.namedItem("file");
    if (!checkSize(input instanceof HTMLInputElement ? input : null)) event.preventDefault();
  };

  return (
    <form action={formAction} onSubmit={onSubmit} noValidate aria-label="Add evidence" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <h2 className="text-lg font-semibold">Add evidence</h2>
      <p className="text-sm text-slate-600">
        Evidence for version <span className="font-mono">{version}</span> is kept as submitted, with its SHA-256; it cannot be changed or removed.
      </p>
      <input type="hidden" name="versionId" value={versionId} />
      <SelectField
        label="Kind"
        name="kind"
        options={kinds}
        defaultValue={start}
        onChange={(event) => {
          setChoice({ kind: event.currentTarget.value as Kind, after: state });
          setFileError(null);
        }}
        errors={errors.kind}
      />
      <TextField label="Title (optional)" name="title" defaultValue={valueText(values, "title")} errors={errors.title} />
      {/* Keyed by kind so switching kinds starts from empty fields rather than another kind's leftovers. */}
      <div key={kind} className="space-y-4">
        {file && (
          <div className="space-y-1">
            <TextField label="File" name="file" type="file" accept={file.accept} onChange={onFileChange} errors={fileErrors} />
            <p className="text-xs text-slate-600">
              {file.hint} At most {formatBytes(maxUploadBytes)}.
            </p>
          </div>
        )}
        <KindFields kind={kind} values={values} errors={errors} />
      </div>
      <FormMessage state={state} />
      <SubmitButton pending={pending} pendingLabel="Adding…">
        Add evidence
      </SubmitButton>
    </form>
  );
}

"use client";

import { useActionState } from "react";
import { FormMessage, RequiredNote, SubmitButton, TextArea, TextField } from "@/components/ui/form-fields";

export interface VerifyFormValues {
  manifest: string;
  signature: string;
  keyId: string;
}

export type VerifyState =
  | { status: "idle" }
  | { status: "checked"; valid: boolean; reason: string; values: VerifyFormValues }
  | { status: "error"; message: string; fieldErrors: Record<string, string[]>; values: VerifyFormValues };

const idleState: VerifyState = { status: "idle" };
const empty: VerifyFormValues = { manifest: "", signature: "", keyId: "" };

/** "Signature valid" or "Signature invalid: why", announced to screen readers. */
export function VerificationOutcome({ valid, reason }: { valid: boolean; reason: string }) {
  return (
    <div
      role="status"
      data-testid="verification-outcome"
      className={`rounded-lg border p-4 ${valid ? "border-emerald-300 bg-emerald-50 text-emerald-900" : "border-red-300 bg-red-50 text-red-900"}`}
    >
      <p className="font-semibold">{valid ? "Signature valid" : `Signature invalid: ${reason}`}</p>
      {valid && <p className="mt-1 text-sm">{reason}</p>}
    </div>
  );
}

export function VerifyManifestForm({ action }: { action: (state: VerifyState, form: FormData) => Promise<VerifyState> }) {
  const [state, formAction, pending] = useActionState(action, idleState);
  const values = state.status === "idle" ? empty : state.values;
  const errors = state.status === "error" ? state.fieldErrors : {};
  return (
    <form action={formAction} noValidate aria-label="Verify a manifest" className="space-y-4 rounded-lg border border-slate-200 bg-white p-6">
      <RequiredNote />
      <TextArea
        label="Manifest (JSON)"
        name="manifest"
        required
        rows={12}
        spellCheck={false}
        className="mt-1 block w-full rounded border border-slate-300 px-3 py-2 font-mono text-xs focus:border-indigo-500 focus:outline-none"
        defaultValue={values.manifest}
        errors={errors.manifest}
      />
      <TextField label="Signature (base64url)" name="signature" required spellCheck={false} autoComplete="off" defaultValue={values.signature} errors={errors.signature} />
      <TextField label="Key id" name="keyId" required spellCheck={false} autoComplete="off" defaultValue={values.keyId} errors={errors.keyId} />
      <SubmitButton pending={pending} pendingLabel="Checking…">
        Verify signature
      </SubmitButton>
      {state.status === "checked" && <VerificationOutcome valid={state.valid} reason={state.reason} />}
      {state.status === "error" && <FormMessage state={state} />}
    </form>
  );
}

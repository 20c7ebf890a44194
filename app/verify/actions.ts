"use server";

import { z } from "zod";
import type { VerifyFormValues, VerifyState } from "@/components/signing/verify-manifest-form";
import { ValidationError } from "@/lib/errors";
import { verifyManifest } from "@/lib/signing/manifest";
import { parseInput } from "@/lib/validation";

// Public: no sign-in, and nothing is changed; the check only reads the published keys.
const verifyForm = z.object({
  manifest: z.string({ error: "Paste the manifest." }).trim().min(1, "Paste the manifest.").max(1_000_000, "The manifest must be at most 1 MB."),
  signature: z.string({ error: "Paste the signature." }).trim().min(1, "Paste the signature.").max(512, "That is too long for a signature."),
  keyId: z.string({ error: "Paste the key id." }).trim().min(1, "Paste the key id.").max(128, "That is too long for a key id."),
});

// What the form shows again after a check is cut to what the check accepts, so an oversized post is not
// echoed back in full.
const text = (value: FormDataEntryValue | null, max: number) => (typeof value === "string" ? value.slice(0, max + 1) : "");

export async function verifyManifestAction(_: VerifyState, form: FormData): Promise<VerifyState> {
  const values: VerifyFormValues = { manifest: text(form.get("manifest"), 1_000_000), signature: text(form.get("signature"), 512), keyId: text(form.get("keyId"), 128) };
  try {
    const { manifest, signature, keyId } = parseInput(verifyForm, values);
    return { status: "checked", values, ...(await verifyManifest(manifest, signature, keyId)) };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { status: "error", message: error.message, fieldErrors: error.fieldErrors, values };
  }
}

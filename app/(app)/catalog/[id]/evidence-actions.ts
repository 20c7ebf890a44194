"use server";

import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { ValidationError } from "@/lib/errors";
import { fileTooLarge } from "@/lib/evidence/file-size";
import { addEvidence } from "@/lib/evidence/store";
import { getPolicy } from "@/lib/settings/policy";

// The Evidence tab's "Add evidence" form. addEvidence checks who may add what and parses each kind's
// fields; here the form becomes its input.

// An empty file input still submits a File of size 0 with an empty filename, which Next's multipart
// decoding turns into the name "undefined" (other parsers: "" or "blob"). That means "no file".
const unnamed = new Set(["", "blob", "undefined"]);

function chosenFile(value: FormDataEntryValue | null): File | null {
  if (!(value instanceof File)) return null;
  return value.size === 0 && unnamed.has(value.name) ? null : value;
}

async function evidenceInput(form: FormData) {
  const input: Record<string, unknown> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && key !== "file" && key !== "versionId" && !key.startsWith("$ACTION")) input[key] = value;
  }
  const file = chosenFile(form.get("file"));
  if (file) {
    // Refused on its declared size before its bytes are copied; addEvidence checks the bytes again.
    const tooLarge = fileTooLarge(file.size, await getPolicy("evidence.maxUploadBytes"));
    if (tooLarge) throw new ValidationError(tooLarge, { file: [tooLarge] });
    input.file = { name: file.name, mediaType: file.type, size: file.size, bytes: Buffer.from(await file.arrayBuffer()) };
  }
  return input;
}

export async function addEvidenceAction(serverId: string, _: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    const evidence = await addEvidence(actor, String(form.get("versionId") ?? ""), await evidenceInput(form));
    return { message: `Added “${evidence.title}”.` };
  }, { values: formValues(form, ["file"]), revalidate: [`/catalog/${serverId}`, "/reviews"] });
}

"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { type ActionState, formValues, toActionState } from "@/lib/action-state";
import { requireActor } from "@/lib/auth/session";
import { updateServerDetails } from "@/lib/catalog/edit";
import { previewImport, registerServer } from "@/lib/catalog/register";
import { importVersion } from "@/lib/catalog/versions";
import type { ImportPreview } from "@/components/register-wizard";
import type { VersionImport } from "@/components/import-version-form";
import { importTargetFrom, registrationFrom, serverDetailsFrom, versionInputFrom } from "./form-data";

export async function previewImportAction(_: ActionState<ImportPreview>, form: FormData): Promise<ActionState<ImportPreview>> {
  return toActionState(async () => {
    const preview = await previewImport(await requireActor(), importTargetFrom(form));
    return { message: `Imported ${preview.tools.length} tools from ${preview.serverInfo.name} ${preview.serverInfo.version}.`, data: preview };
  });
}

export async function registerServerAction(_: ActionState, form: FormData): Promise<ActionState> {
  const state = await toActionState(async () => {
    const server = await registerServer(await requireActor(), registrationFrom(form));
    revalidatePath("/catalog");
    return { message: `Registered ${server.name}.`, data: server.id };
  }, formValues(form, ["credentialValue"]));
  if (state.status === "ok") redirect(`/catalog/${state.data}`);
  return state;
}

export async function importVersionAction(serverId: string, _: ActionState<VersionImport>, form: FormData): Promise<ActionState<VersionImport>> {
  return toActionState(async () => {
    const input = versionInputFrom(form);
    const diff = await importVersion(await requireActor(), serverId, input);
    revalidatePath(`/catalog/${serverId}`);
    const version = String(input.version).trim();
    return { message: `Imported version ${version} as a draft.`, data: { ...diff, version } };
  }, formValues(form));
}

export async function updateServerAction(serverId: string, _: ActionState, form: FormData): Promise<ActionState> {
  const state = await toActionState(async () => {
    await updateServerDetails(await requireActor(), serverId, serverDetailsFrom(form));
    revalidatePath(`/catalog/${serverId}`);
    return { message: "Saved." };
  }, formValues(form));
  if (state.status === "ok") redirect(`/catalog/${serverId}`);
  return state;
}

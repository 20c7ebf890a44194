"use server";

import { redirect } from "next/navigation";
import type { VersionImport } from "@/components/catalog/import-version-form";
import type { ImportPreview } from "@/components/catalog/register-wizard";
import { type ActionState, formValues } from "@/lib/action-state";
import { actorAction } from "@/lib/actor-action";
import { updateHostPatterns, updateServerDetails } from "@/lib/catalog/edit";
import { previewImport, registerServer } from "@/lib/catalog/register";
import { importVersion } from "@/lib/catalog/versions";
import { importTargetFrom, registrationFrom, serverDetailsFrom, versionInputFrom } from "./form-data";

export async function previewImportAction(_: ActionState<ImportPreview>, form: FormData): Promise<ActionState<ImportPreview>> {
  return actorAction(async (actor) => {
    const preview = await previewImport(actor, importTargetFrom(form));
    return { message: `Imported ${preview.tools.length} tools from ${preview.serverInfo.name} ${preview.serverInfo.version}.`, data: preview };
  });
}

export async function registerServerAction(_: ActionState, form: FormData): Promise<ActionState> {
  const state = await actorAction(async (actor) => {
    const server = await registerServer(actor, registrationFrom(form));
    return { message: `Registered ${server.name}.`, data: server.id };
  }, { values: formValues(form, ["credentialValue"]), revalidate: ["/catalog"] });
  if (state.status === "ok") redirect(`/catalog/${state.data}`);
  return state;
}

export async function importVersionAction(serverId: string, _: ActionState<VersionImport>, form: FormData): Promise<ActionState<VersionImport>> {
  return actorAction(async (actor) => {
    const input = versionInputFrom(form);
    const diff = await importVersion(actor, serverId, input);
    const version = String(input.version).trim();
    return { message: `Imported version ${version} as a draft.`, data: { ...diff, version } };
  }, { values: formValues(form), revalidate: [`/catalog/${serverId}`] });
}

export async function updateServerAction(serverId: string, _: ActionState, form: FormData): Promise<ActionState> {
  const state = await actorAction(async (actor) => {
    await updateServerDetails(actor, serverId, serverDetailsFrom(form));
    return { message: "Saved." };
  }, { values: formValues(form), revalidate: [`/catalog/${serverId}`] });
  if (state.status === "ok") redirect(`/catalog/${serverId}`);
  return state;
}

export async function updateHostPatternsAction(serverId: string, _: ActionState, form: FormData): Promise<ActionState> {
  return actorAction(async (actor) => {
    await updateHostPatterns(actor, serverId, { resultCacheTtlSeconds: form.get("resultCacheTtlSeconds"), idempotencyWindowSeconds: form.get("idempotencyWindowSeconds") });
    return { message: "Saved." };
  }, { values: formValues(form), revalidate: [`/catalog/${serverId}`] });
}

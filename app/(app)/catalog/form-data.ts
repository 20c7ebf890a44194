import type { FormValues } from "@/lib/action-state";
import { type ApprovalTools, environments } from "@/lib/catalog/schemas";

// Turns the catalog forms' FormData into the plain objects lib/catalog parses, and back again for
// prefilling. Only the shape changes here; every rule lives in lib/catalog/schemas.ts.

const field = (form: FormData, name: string) => form.get(name) ?? undefined;
const lines = (value: FormDataEntryValue | null) => String(value ?? "").split(/\r?\n/).map((line) => line.trim()).filter(Boolean);

/** "name@version" lines; the last @ splits, so scoped packages such as @acme/sdk@1.2.0 work. */
function dependenciesFrom(value: FormDataEntryValue | null) {
  return lines(value).map((line) => {
    const at = line.lastIndexOf("@");
    return at > 0 ? { name: line.slice(0, at), version: line.slice(at + 1) } : { name: line, version: "" };
  });
}

export function versionInputFrom(form: FormData) {
  return { version: field(form, "version"), mitigations: field(form, "mitigations"), dependencies: dependenciesFrom(form.get("dependencies")) };
}

/** An absent credential is two empty fields; one filled field is a half-given credential the schema refuses. */
export function importTargetFrom(form: FormData) {
  const header = String(form.get("credentialHeader") ?? "").trim();
  const value = String(form.get("credentialValue") ?? "");
  return { endpointUrl: field(form, "endpointUrl"), credential: header || value ? { header, value } : undefined };
}

export function serverDetailsFrom(form: FormData) {
  const approvalTools: Record<string, string[]> = {};
  for (const environment of environments) approvalTools[environment] = form.getAll(`approvalTools.${environment}`).map(String);
  return {
    title: field(form, "title"),
    purpose: field(form, "purpose"),
    teamId: field(form, "teamId"),
    environments: form.getAll("environments"),
    classification: field(form, "classification"),
    dataMinimisation: field(form, "dataMinimisation"),
    dataMasking: field(form, "dataMasking"),
    sensitiveFields: String(form.get("sensitiveFields") ?? "").split(",").map((name) => name.trim()).filter(Boolean),
    dataRetention: field(form, "dataRetention"),
    dataConsent: field(form, "dataConsent"),
    threatModel: field(form, "threatModel"),
    riskAppetite: field(form, "riskAppetite"),
    riskTier: form.get("riskTier") || null,
    approvalTools,
    upstreamAuth: field(form, "upstreamAuth"),
  };
}

export function registrationFrom(form: FormData) {
  return { ...serverDetailsFrom(form), ...importTargetFrom(form), name: field(form, "name"), version: versionInputFrom(form) };
}

interface StoredDetails {
  title: string;
  purpose: string;
  teamId: string;
  environments: string[];
  classification: string;
  dataMinimisation: string;
  dataMasking: string;
  sensitiveFields: string[];
  dataRetention: string;
  dataConsent: string;
  threatModel: string;
  riskAppetite: string;
  riskTier: string | null;
  upstreamAuth: string;
}

/** A stored entry as the values the details form starts from. */
export function detailsValues(server: StoredDetails, approvalTools: ApprovalTools): FormValues {
  const values: FormValues = {
    title: server.title,
    purpose: server.purpose,
    teamId: server.teamId,
    environments: server.environments,
    classification: server.classification,
    dataMinimisation: server.dataMinimisation,
    dataMasking: server.dataMasking,
    sensitiveFields: server.sensitiveFields.join(", "),
    dataRetention: server.dataRetention,
    dataConsent: server.dataConsent,
    threatModel: server.threatModel,
    riskAppetite: server.riskAppetite,
    riskTier: server.riskTier ?? "",
    upstreamAuth: server.upstreamAuth,
  };
  for (const [environment, tools] of Object.entries(approvalTools)) values[`approvalTools.${environment}`] = tools;
  return values;
}

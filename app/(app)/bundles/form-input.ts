import { ValidationError } from "@/lib/errors";

// Turns the Bundles forms into the inputs lib/bundles parses. Only the shape changes here (a ticked box
// "com.example/crm search" into { server, tool }, a version's number into a number); the rules live in
// lib/bundles/bundles.ts.

const text = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** Each ticked tool, "server tool" (a tool's name has no space), as a pair; anything else goes on for the schema to refuse. */
export function toolsFrom(form: FormData): { server: string; tool: string }[] {
  return form.getAll("tools").map((value) => {
    const choice = typeof value === "string" ? value : "";
    const space = choice.lastIndexOf(" ");
    return space < 0 ? { server: choice, tool: "" } : { server: choice.slice(0, space), tool: choice.slice(space + 1) };
  });
}

/** The new-bundle form. */
export function createInputFrom(form: FormData) {
  return { name: text(form, "name").trim(), title: text(form, "title"), description: text(form, "description"), teamId: text(form, "teamId"), tools: toolsFrom(form) };
}

/** The draft's tools, for the bundle named in the form. */
export function draftInputFrom(form: FormData) {
  return { bundle: text(form, "bundle"), tools: toolsFrom(form) };
}

/** A version of the bundle named in the form: "3" → 3; anything else goes on for the schema to refuse by name. */
export function versionInputFrom(form: FormData): { bundle: string; number: number | string; reason?: string } {
  const number = text(form, "number");
  const reason = form.get("reason");
  return { bundle: text(form, "bundle"), number: /^\d{1,7}$/.test(number) ? Number(number) : number, ...(reason === null ? {} : { reason: text(form, "reason") }) };
}

/** Which decision a review form's button asked for. */
export function decisionFrom(form: FormData): "certify" | "reject" {
  const decision = form.get("decision");
  if (decision === "certify" || decision === "reject") return decision;
  throw new ValidationError("Choose Certify or Reject.");
}

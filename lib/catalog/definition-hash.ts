import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

export interface ToolDefinition {
  name: string;
  title?: string | null;
  description?: string | null;
  inputSchema: unknown;
  outputSchema?: unknown;
  annotations?: unknown;
}

/**
 * SHA-256 (hex) of the tool's canonical JSON (RFC 8785: sorted keys, no insignificant whitespace)
 * over exactly the fields that define it. Absent and null fields are left out, so a stored definition
 * (where absent becomes null) hashes the same as the live one.
 */
export function definitionHash(tool: ToolDefinition): string {
  return canonicalHash({
    name: tool.name,
    title: tool.title ?? undefined,
    description: tool.description ?? undefined,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? undefined,
    annotations: tool.annotations ?? undefined,
  });
}

/** SHA-256 (hex) of the fields' RFC 8785 canonical JSON; undefined fields are left out. */
function canonicalHash(fields: Record<string, unknown>): string {
  return createHash("sha256").update(canonicalize(fields)!, "utf8").digest("hex");
}

// Resources, resource templates and prompts are hashed the same way (decision 032), each over the fields
// the catalog records and with its kind among them, so no two kinds of definition ever share a hash.

export interface ResourceDefinition {
  uri: string;
  name: string;
  title?: string | null;
  description?: string | null;
  mimeType?: string | null;
}

export interface ResourceTemplateDefinition {
  uriTemplate: string;
  name: string;
  title?: string | null;
  description?: string | null;
  mimeType?: string | null;
}

export interface PromptDefinition {
  name: string;
  title?: string | null;
  description?: string | null;
  arguments?: unknown;
}

export function resourceDefinitionHash(resource: ResourceDefinition): string {
  const { uri, name, title, description, mimeType } = resource;
  return canonicalHash({ kind: "resource", uri, name, title: title ?? undefined, description: description ?? undefined, mimeType: mimeType ?? undefined });
}

export function resourceTemplateDefinitionHash(template: ResourceTemplateDefinition): string {
  const { uriTemplate, name, title, description, mimeType } = template;
  return canonicalHash({ kind: "resource_template", uriTemplate, name, title: title ?? undefined, description: description ?? undefined, mimeType: mimeType ?? undefined });
}

export function promptDefinitionHash(prompt: PromptDefinition): string {
  const { name, title, description } = prompt;
  return canonicalHash({ kind: "prompt", name, title: title ?? undefined, description: description ?? undefined, arguments: prompt.arguments ?? undefined });
}

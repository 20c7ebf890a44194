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
  const fields = {
    name: tool.name,
    title: tool.title ?? undefined,
    description: tool.description ?? undefined,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema ?? undefined,
    annotations: tool.annotations ?? undefined,
  };
  return createHash("sha256").update(canonicalize(fields)!, "utf8").digest("hex");
}

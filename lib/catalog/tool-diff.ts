import canonicalize from "canonicalize";
import type { ToolDefinition } from "./definition-hash";

const definitionFields = ["title", "description", "inputSchema", "outputSchema", "annotations"] as const;
export type DefinitionField = (typeof definitionFields)[number];

export type ToolChange =
  | { kind: "added"; name: string }
  | { kind: "removed"; name: string }
  | { kind: "changed"; name: string; fields: DefinitionField[] }
  | { kind: "unchanged"; name: string };

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalize(a ?? null) === canonicalize(b ?? null);
}

/** Per tool, what changed from the previous version to this one, in the order tools were declared. */
export function diffTools(previous: ToolDefinition[], current: ToolDefinition[]): ToolChange[] {
  const before = new Map(previous.map((tool) => [tool.name, tool]));
  const now = new Set(current.map((tool) => tool.name));
  const changes: ToolChange[] = current.map((tool) => {
    const old = before.get(tool.name);
    if (!old) return { kind: "added", name: tool.name };
    const fields = definitionFields.filter((field) => !sameValue(old[field], tool[field]));
    return fields.length ? { kind: "changed", name: tool.name, fields } : { kind: "unchanged", name: tool.name };
  });
  const removed = previous.filter((tool) => !now.has(tool.name)).map((tool): ToolChange => ({ kind: "removed", name: tool.name }));
  return [...changes, ...removed];
}

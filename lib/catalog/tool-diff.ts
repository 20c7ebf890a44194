import canonicalize from "canonicalize";
import { diffLines, diffWordsWithSpace } from "diff";
import type { ToolDefinition } from "./definition-hash";

// What changed in a tool's definition, in a form a person can read: the words of its title and
// description (where a poisoned instruction hides), the lines of its pretty-printed schemas and
// annotations. Computed with jsdiff (the `diff` package); whitespace counts as a word, so both texts
// come back exactly from the parts (a change of spacing alone still shows), and nothing is shortened.

const definitionFields = ["title", "description", "inputSchema", "outputSchema", "annotations"] as const;
export type DefinitionField = (typeof definitionFields)[number];
const textFields: ReadonlySet<DefinitionField> = new Set(["title", "description"]);

export interface DiffPart {
  text: string;
  change: "same" | "added" | "removed";
}

/** One field's difference: words for text, lines of sorted, indented JSON for schemas and annotations. */
export interface FieldDiff {
  field: DefinitionField;
  mode: "words" | "lines";
  parts: DiffPart[];
}

export type ToolChange =
  | { kind: "added"; name: string }
  | { kind: "removed"; name: string }
  | { kind: "changed"; name: string; fields: DefinitionField[]; diffs: FieldDiff[] }
  | { kind: "unchanged"; name: string };

function sameValue(a: unknown, b: unknown): boolean {
  return canonicalize(a ?? null) === canonicalize(b ?? null);
}

/** Sorted keys (RFC 8785 order) and two-space indents, so only real changes show; absent is empty. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "";
  return JSON.stringify(JSON.parse(canonicalize(value)!), null, 2);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

const partsOf = (changes: { value: string; added: boolean; removed: boolean }[]) =>
  changes.map((change): DiffPart => ({ text: change.value, change: change.added ? "added" : change.removed ? "removed" : "same" }));

/** Two texts line by line (a policy set against the active one, a schema against the one before). */
export function diffTextLines(before: string, after: string): DiffPart[] {
  return partsOf(diffLines(before, after));
}

function fieldDiff(field: DefinitionField, before: unknown, after: unknown): FieldDiff {
  const words = textFields.has(field);
  const parts = words ? partsOf(diffWordsWithSpace(text(before), text(after))) : diffTextLines(prettyJson(before), prettyJson(after));
  return { field, mode: words ? "words" : "lines", parts };
}

/** The fields in which two definitions of a tool differ, each with its readable difference, in declaration order. */
export function diffDefinition(before: Omit<ToolDefinition, "name">, after: Omit<ToolDefinition, "name">): FieldDiff[] {
  return definitionFields.filter((field) => !sameValue(before[field], after[field])).map((field) => fieldDiff(field, before[field], after[field]));
}

/** Per tool, what changed from the previous version to this one, in the order tools were declared. */
export function diffTools(previous: ToolDefinition[], current: ToolDefinition[]): ToolChange[] {
  const before = new Map(previous.map((tool) => [tool.name, tool]));
  const now = new Set(current.map((tool) => tool.name));
  const changes: ToolChange[] = current.map((tool) => {
    const old = before.get(tool.name);
    if (!old) return { kind: "added", name: tool.name };
    const diffs = diffDefinition(old, tool);
    return diffs.length ? { kind: "changed", name: tool.name, fields: diffs.map((diff) => diff.field), diffs } : { kind: "unchanged", name: tool.name };
  });
  const removed = previous.filter((tool) => !now.has(tool.name)).map((tool): ToolChange => ({ kind: "removed", name: tool.name }));
  return [...changes, ...removed];
}

/** A resource, resource template or prompt from one version to the next: which of its recorded fields changed. */
export interface DefinitionChange {
  type: "resource" | "resource_template" | "prompt";
  kind: "added" | "removed" | "changed" | "unchanged";
  /** The URI, URI template or prompt name. */
  name: string;
  fields?: string[];
}

/** Per item (keyed by `keyOf`), what changed, in declaration order then the removed; the hash itself is not compared. */
export function diffDefinitions<T extends Record<string, unknown>>(type: DefinitionChange["type"], previous: T[], current: T[], keyOf: (item: T) => string): DefinitionChange[] {
  const before = new Map(previous.map((item) => [keyOf(item), item]));
  const now = new Set(current.map(keyOf));
  const changes = current.map((item): DefinitionChange => {
    const old = before.get(keyOf(item));
    if (!old) return { type, kind: "added", name: keyOf(item) };
    const fields = Object.keys(item).filter((field) => field !== "definitionHash" && !sameValue(old[field], item[field]));
    return fields.length ? { type, kind: "changed", name: keyOf(item), fields } : { type, kind: "unchanged", name: keyOf(item) };
  });
  return [...changes, ...previous.filter((item) => !now.has(keyOf(item))).map((item): DefinitionChange => ({ type, kind: "removed", name: keyOf(item) }))];
}
